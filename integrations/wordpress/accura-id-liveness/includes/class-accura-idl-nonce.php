<?php
/**
 * The page token: a WordPress nonce that is the same for every visitor of the page.
 *
 * @package AccuraIdLiveness
 */

defined( 'ABSPATH' ) || exit;

/**
 * A nonce made like wp_create_nonce(), with WordPress's own tick and salt, but for no user.
 *
 * Why not wp_create_nonce(): it binds to the logged-in user, and the REST API serves a request that
 * carries cookies but no X-WP-Nonce as user 0, so a signed-in visitor's nonce would never verify.
 * Pages with the widget render this one instead; it proves the request came through a page of
 * this site within the nonce lifetime (one day by default, the `nonce_life` filter).
 */
final class Accura_IDL_Nonce {

	private const ACTION = 'accura_idl_check';

	/** The token for pages rendered now. */
	public static function create(): string {
		return self::hash( wp_nonce_tick() );
	}

	/**
	 * True when `$token` was made in this tick or the one before (as wp_verify_nonce).
	 *
	 * @param string $token The Bearer token the widget sent.
	 */
	public static function verify( string $token ): bool {
		if ( '' === $token ) {
			return false;
		}
		$tick = wp_nonce_tick();
		return hash_equals( self::hash( $tick ), $token ) || hash_equals( self::hash( $tick - 1 ), $token );
	}

	/**
	 * The nonce for one tick.
	 *
	 * @param int|float $tick A wp_nonce_tick() value.
	 */
	private static function hash( $tick ): string {
		return substr( wp_hash( $tick . '|' . self::ACTION . '|0|', 'nonce' ), -12, 10 );
	}
}

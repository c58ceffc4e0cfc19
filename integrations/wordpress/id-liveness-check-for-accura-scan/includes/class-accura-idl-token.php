<?php
/**
 * The check token: short-lived, signed with the site's salt, fetched by the widget at run time.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * `<expiry>.<signature>`: an HMAC of its own expiry time under wp_salt( 'nonce' ), for no user.
 *
 * Why not a nonce in the page: page caches keep pages for days, and a token baked into a cached
 * page expires while the page is still served. The widget asks the uncached token route for a
 * fresh one before each check (and once more after a 401), so a token need only live minutes.
 * Why not wp_create_nonce(): it binds to the logged-in user, and the REST API serves a request
 * that carries cookies but no X-WP-Nonce as user 0.
 */
final class Accura_IDL_Token {

	/** How long a token is accepted, in seconds: a check takes seconds, a slow phone upload a minute. */
	public const LIFETIME = 15 * MINUTE_IN_SECONDS;

	private const ACTION = 'accura_idl_check';

	/** A token for a check starting now. */
	public static function create(): string {
		$expires = time() + self::LIFETIME;
		return $expires . '.' . self::sign( $expires );
	}

	/**
	 * True when `$token` was made by this site and has not expired.
	 *
	 * @param string $token The Bearer token the widget sent.
	 */
	public static function verify( string $token ): bool {
		if ( ! preg_match( '/^(\d{1,12})\.([0-9a-f]{32})$/', $token, $parts ) ) {
			return false;
		}
		$expires = (int) $parts[1];
		$now     = time();
		// Also refuses one from the far future: a token is never valid for longer than it was minted for.
		if ( $expires < $now || $expires > $now + self::LIFETIME ) {
			return false;
		}
		return hash_equals( self::sign( $expires ), $parts[2] );
	}

	/**
	 * The signature of an expiry time.
	 *
	 * @param int $expires A Unix time.
	 */
	private static function sign( int $expires ): string {
		return substr( hash_hmac( 'sha256', $expires . '|' . self::ACTION, wp_salt( 'nonce' ) ), 0, 32 );
	}
}

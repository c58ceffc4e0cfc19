<?php
/**
 * The answer given when no real check is made: the same as the package's Node sandbox.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sandbox answers. They always say `"sandbox": true`: the score is not a liveness judgement.
 */
final class Accura_IDL_Sandbox {

	/**
	 * SHA-256 of the bytes mapped to 0-100 with two decimals: stable per image, meaningless as
	 * liveness. The same figure as `sandboxScore` in src/server/sandbox.ts.
	 *
	 * @param string $bytes The image.
	 */
	public static function score( string $bytes ): float {
		$first = unpack( 'N', substr( hash( 'sha256', $bytes, true ), 0, 4 ) )[1];
		return round( $first / 0xffffffff * 10000 ) / 100;
	}

	/**
	 * The body of a sandbox success answer.
	 *
	 * @param string $bytes The image.
	 * @return array{status: true, sandbox: true, message: string, data: array{score: float}}
	 */
	public static function answer( string $bytes ): array {
		return array(
			'status'  => true,
			'sandbox' => true,
			'message' => 'Sandbox: not a real liveness check',
			'data'    => array( 'score' => self::score( $bytes ) ),
		);
	}
}

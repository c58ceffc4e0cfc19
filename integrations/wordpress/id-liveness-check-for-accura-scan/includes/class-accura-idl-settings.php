<?php
/**
 * The plugin's one option: its settings, sanitized on the way in.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads, defaults and sanitizes the `accura_idl_settings` option.
 */
final class Accura_IDL_Settings {

	/** The option's name. */
	public const OPTION = 'accura_idl_settings';

	/** Accura Scan's ID Liveness endpoint. */
	public const DEFAULT_UPSTREAM = 'https://api.accurascan.com/v2/api/id-liveness';

	/** A score above this is Live (the vendor's own figure). */
	public const DEFAULT_THRESHOLD = 55;

	/**
	 * Checks sent to the API per day, site-wide. Well above what a site that verifies its own
	 * customers sends, and low enough that a script looping over the public route can't run up
	 * a large bill before the owner notices.
	 */
	public const DEFAULT_DAILY_CAP = 200;

	/** The highest cap and per-visitor limit the form accepts. */
	public const MAX_LIMIT = 100000;

	/**
	 * The settings with defaults filled in.
	 *
	 * @return array{api_key: string, upstream_url: string, country_code: string, card_code: string, threshold: float, sandbox: bool, rate_limit: int, daily_cap: int}
	 */
	public static function get(): array {
		$stored = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Defaults: Accura's endpoint, India and MRZ, 55, sandbox off, 20 checks per hour per visitor,
	 * 200 checks a day for the site.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults(): array {
		return array(
			'api_key'      => '',
			'upstream_url' => self::DEFAULT_UPSTREAM,
			'country_code' => 'IND',
			'card_code'    => 'MRZ',
			'threshold'    => self::DEFAULT_THRESHOLD,
			'sandbox'      => false,
			'rate_limit'   => 20,
			'daily_cap'    => self::DEFAULT_DAILY_CAP,
		);
	}

	/** True when no real check is made: sandbox mode on, or no key set. */
	public static function is_sandbox(): bool {
		$settings = self::get();
		return $settings['sandbox'] || '' === $settings['api_key'];
	}

	/** Creates the option unloaded by default, so the key is not read on every page. */
	public static function activate(): void {
		if ( false === get_option( self::OPTION ) ) {
			add_option( self::OPTION, self::defaults(), '', false );
		}
	}

	/**
	 * An ISO 3166-1 alpha-3 code, uppercased, or '' when `$value` isn't one.
	 *
	 * @param mixed $value Raw input.
	 */
	public static function country_code( $value ): string {
		$code = strtoupper( trim( is_string( $value ) ? $value : '' ) );
		return preg_match( '/^[A-Z]{3}$/', $code ) ? $code : '';
	}

	/**
	 * A card code such as MRZ (1-16 of A-Za-z0-9_-), or '' when `$value` isn't one.
	 *
	 * @param mixed $value Raw input.
	 */
	public static function card_code( $value ): string {
		$code = trim( is_string( $value ) ? $value : '' );
		return preg_match( '/^[A-Za-z0-9_-]{1,16}$/', $code ) ? $code : '';
	}

	/**
	 * A threshold from 0 to 100, or null.
	 *
	 * @param mixed $value Raw input.
	 */
	public static function threshold( $value ): ?float {
		if ( ! is_numeric( $value ) ) {
			return null;
		}
		$number = (float) $value;
		return ( $number >= 0 && $number <= 100 ) ? $number : null;
	}

	/**
	 * The settings form's input, sanitized. An empty key field keeps the stored key (it is never
	 * printed back, so the form can't send it); "remove key" clears it.
	 *
	 * @param mixed $input The posted `accura_idl_settings` array.
	 * @return array<string, mixed>
	 */
	public static function sanitize( $input ): array {
		$old   = self::get();
		$input = is_array( $input ) ? $input : array(); // options.php has already unslashed it.
		$clean = $old;

		$key = isset( $input['api_key'] ) ? trim( sanitize_text_field( (string) $input['api_key'] ) ) : '';
		if ( ! empty( $input['remove_key'] ) ) {
			$clean['api_key'] = '';
		} elseif ( '' !== $key ) {
			$clean['api_key'] = $key;
		}

		$url = isset( $input['upstream_url'] ) ? esc_url_raw( trim( (string) $input['upstream_url'] ), array( 'http', 'https' ) ) : '';
		if ( '' === $url ) {
			add_settings_error( self::OPTION, 'upstream_url', __( 'The upstream URL must be an http or https URL; it was reset to Accura\'s.', 'id-liveness-check-for-accura-scan' ) );
			$url = self::DEFAULT_UPSTREAM;
		}
		$clean['upstream_url'] = $url;

		$country = self::country_code( $input['country_code'] ?? '' );
		if ( '' === $country ) {
			add_settings_error( self::OPTION, 'country_code', __( 'The country code must be three letters (ISO 3166-1 alpha-3, e.g. IND); the previous one was kept.', 'id-liveness-check-for-accura-scan' ) );
		} else {
			$clean['country_code'] = $country;
		}

		$card = self::card_code( $input['card_code'] ?? '' );
		if ( '' === $card ) {
			add_settings_error( self::OPTION, 'card_code', __( 'The card code must be 1-16 characters of A-Z, a-z, 0-9, _ or -; the previous one was kept.', 'id-liveness-check-for-accura-scan' ) );
		} else {
			$clean['card_code'] = $card;
		}

		$threshold = self::threshold( $input['threshold'] ?? '' );
		if ( null === $threshold ) {
			add_settings_error( self::OPTION, 'threshold', __( 'The threshold must be a number from 0 to 100; the previous one was kept.', 'id-liveness-check-for-accura-scan' ) );
		} else {
			$clean['threshold'] = $threshold;
		}

		$clean['sandbox']    = ! empty( $input['sandbox'] );
		$clean['rate_limit'] = isset( $input['rate_limit'] ) ? min( self::MAX_LIMIT, absint( $input['rate_limit'] ) ) : $old['rate_limit'];
		$clean['daily_cap']  = isset( $input['daily_cap'] ) ? min( self::MAX_LIMIT, absint( $input['daily_cap'] ) ) : $old['daily_cap'];
		return $clean;
	}
}

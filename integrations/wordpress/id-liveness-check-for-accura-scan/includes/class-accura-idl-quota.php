<?php
/**
 * What a check costs the site owner: a per-visitor hourly limit and a site-wide daily cap.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * The two allowances. Each returns null when the check may go on, else the seconds until its window ends.
 */
final class Accura_IDL_Quota {

	/** Today's count lives in an option named this plus the site's date, e.g. accura_idl_checks_20260102. */
	public const DAILY_PREFIX = 'accura_idl_checks_';

	/** The per-visitor counters are transients named this plus a salted hash of the IP. */
	public const VISITOR_PREFIX = 'accura_idl_rl_';

	/**
	 * Counts this request against the visitor's hourly allowance. Stores only a counter under a
	 * salted hash of the IP. Every visitor holds a token from the same route, so this is what stops
	 * one address from spending the site's allowance.
	 */
	public static function take_visitor(): ?int {
		$limit = (int) Accura_IDL_Settings::get()['rate_limit'];
		if ( $limit <= 0 ) {
			return null;
		}
		$ip = isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
		/**
		 * Filters the address a visitor is counted by. Behind a trusted reverse proxy, return the
		 * client address it forwards; the default is REMOTE_ADDR, which a client cannot forge.
		 *
		 * @param string $ip REMOTE_ADDR.
		 */
		$ip    = (string) apply_filters( 'accura_idl_visitor_ip', $ip );
		$key   = self::VISITOR_PREFIX . substr( hash_hmac( 'sha256', $ip, wp_salt( 'nonce' ) ), 0, 32 );
		$now   = time();
		$entry = get_transient( $key );
		if ( ! is_array( $entry ) || ! isset( $entry['start'], $entry['count'] ) || $entry['start'] + HOUR_IN_SECONDS <= $now ) {
			$entry = array(
				'start' => $now,
				'count' => 0,
			);
		}
		$left = max( 1, $entry['start'] + HOUR_IN_SECONDS - $now );
		if ( $entry['count'] >= $limit ) {
			return $left;
		}
		++$entry['count'];
		set_transient( $key, $entry, $left );
		return null;
	}

	/**
	 * Counts one check sent to the API against the site's daily cap (days in the site's time zone).
	 * One conditional UPDATE, so concurrent checks can't together pass the cap.
	 */
	public static function take_daily(): ?int {
		$cap = (int) Accura_IDL_Settings::get()['daily_cap'];
		if ( $cap <= 0 ) {
			self::increment( PHP_INT_MAX );
			return null;
		}
		return self::increment( $cap ) ? null : self::seconds_to_midnight();
	}

	/** Checks sent to the API today. */
	public static function today(): int {
		global $wpdb;
		// Read from the table, not the options cache: the count changes under other requests.
		$count = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::daily_option() ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a live counter: the options cache would show a stale count.
		return (int) $count;
	}

	/**
	 * Adds one to today's count unless it has reached `$cap`; true when it did.
	 *
	 * @param int $cap The most checks a day.
	 */
	private static function increment( int $cap ): bool {
		global $wpdb;
		$option = self::daily_option();
		// The first check of a day makes the row (autoload off) and clears the days before it.
		// phpcs:disable WordPress.DB.DirectDatabaseQuery -- an atomic counter: update_option() reads, adds and writes, and loses counts under concurrent checks.
		$created = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, '0', 'no')", $option ) );
		if ( 1 === $created ) {
			$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s AND option_name <> %s", $wpdb->esc_like( self::DAILY_PREFIX ) . '%', $option ) );
		}
		$updated = $wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET option_value = option_value + 1 WHERE option_name = %s AND CAST(option_value AS UNSIGNED) < %d", $option, $cap ) );
		// phpcs:enable WordPress.DB.DirectDatabaseQuery
		wp_cache_delete( $option, 'options' );
		return 1 === $updated;
	}

	/** Today's option, by the site's own calendar. */
	private static function daily_option(): string {
		return self::DAILY_PREFIX . wp_date( 'Ymd' );
	}

	/** Seconds until the site's next midnight, when the cap starts again. */
	private static function seconds_to_midnight(): int {
		$now      = new DateTimeImmutable( 'now', wp_timezone() );
		$midnight = $now->modify( 'tomorrow' );
		return max( 1, $midnight->getTimestamp() - $now->getTimestamp() );
	}
}

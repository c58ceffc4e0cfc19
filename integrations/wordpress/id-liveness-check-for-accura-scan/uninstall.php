<?php
/**
 * Removes everything the plugin stored, on every site of a network: its settings, today's count
 * of checks and the per-visitor counters.
 *
 * @package IdLivenessCheck
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/** Removes the plugin's rows from the current site's options table. */
function accura_idl_uninstall_site(): void {
	global $wpdb;
	delete_option( 'accura_idl_settings' );
	// Day counters (accura_idl_checks_<date>) and rate-limit transients (accura_idl_rl_<hash>, which expire within the hour anyway).
	$patterns = array( 'accura_idl_checks_', '_transient_accura_idl_rl_', '_transient_timeout_accura_idl_rl_' );
	foreach ( $patterns as $pattern ) {
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( $pattern ) . '%' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- no API deletes options by prefix; runs once, on uninstall.
	}
	wp_cache_flush();
}

if ( is_multisite() ) {
	// Network-activated or activated per site: each site has its own options table.
	$accura_idl_sites = get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	);
	foreach ( $accura_idl_sites as $accura_idl_site ) {
		switch_to_blog( $accura_idl_site );
		accura_idl_uninstall_site();
		restore_current_blog();
	}
} else {
	accura_idl_uninstall_site();
}

<?php
/**
 * Removes everything the plugin stored: its settings and the per-visitor counters.
 *
 * @package AccuraIdLiveness
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'accura_idl_settings' );

// The rate-limit counters are transients named accura_idl_rl_<hash>; they expire within the hour anyway.
global $wpdb;
$accura_idl_like = $wpdb->esc_like( '_transient_accura_idl_rl_' ) . '%';
$accura_idl_like_timeout = $wpdb->esc_like( '_transient_timeout_accura_idl_rl_' ) . '%';
$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s", $accura_idl_like, $accura_idl_like_timeout ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery

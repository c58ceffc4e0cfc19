<?php
/**
 * Plugin Name:       ID Liveness Check for Accura Scan
 * Description:       Checks that a photographed identity document is the real card, not a screen, printout or copy, through Accura Scan's ID Liveness API. The API key stays on your server.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            accura-id-liveness contributors
 * License:           MIT
 * License URI:       https://opensource.org/licenses/MIT
 * Text Domain:       id-liveness-check-for-accura-scan
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

define( 'ACCURA_IDL_VERSION', '0.1.0' );
define( 'ACCURA_IDL_FILE', __FILE__ );
define( 'ACCURA_IDL_DIR', plugin_dir_path( __FILE__ ) );

require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-settings.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-token.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-quota.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-sandbox.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-proxy.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-render.php';
require_once ACCURA_IDL_DIR . 'includes/class-accura-idl-admin.php';

register_activation_hook( ACCURA_IDL_FILE, array( 'Accura_IDL_Settings', 'activate' ) );

Accura_IDL_Render::register();
Accura_IDL_Proxy::register();
if ( is_admin() ) {
	Accura_IDL_Admin::register();
}

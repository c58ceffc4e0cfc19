<?php
/**
 * Settings → ID Liveness Check, and the text the plugin suggests for the site's privacy policy.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page, through the Settings API (options.php checks the nonce and the capability).
 */
final class Accura_IDL_Admin {

	private const PAGE = 'id-liveness-check';

	private const GROUP = 'accura_idl';

	/** Hooks the page. */
	public static function register(): void {
		add_action( 'admin_menu', array( self::class, 'menu' ) );
		add_action( 'admin_init', array( self::class, 'settings' ) );
		add_action( 'admin_init', array( self::class, 'privacy_policy' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( ACCURA_IDL_FILE ), array( self::class, 'action_links' ) );
	}

	/** Adds Settings → ID Liveness Check for administrators. */
	public static function menu(): void {
		add_options_page(
			__( 'ID Liveness Check for Accura Scan', 'id-liveness-check-for-accura-scan' ),
			__( 'ID Liveness Check', 'id-liveness-check-for-accura-scan' ),
			'manage_options',
			self::PAGE,
			array( self::class, 'page' )
		);
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param string[] $links The plugin's links.
	 * @return string[]
	 */
	public static function action_links( array $links ): array {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, sprintf( '<a href="%s">%s</a>', esc_url( $url ), esc_html__( 'Settings', 'id-liveness-check-for-accura-scan' ) ) );
		return $links;
	}

	/** Registers the option and its fields. */
	public static function settings(): void {
		register_setting(
			self::GROUP,
			Accura_IDL_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Accura_IDL_Settings', 'sanitize' ),
				'show_in_rest'      => false,
			)
		);
		add_settings_section( 'accura_idl_api', __( 'Accura Scan API', 'id-liveness-check-for-accura-scan' ), '__return_false', self::PAGE );
		add_settings_section( 'accura_idl_widget', __( 'Defaults for the widget', 'id-liveness-check-for-accura-scan' ), '__return_false', self::PAGE );

		$fields = array(
			'api_key'      => array( __( 'API key', 'id-liveness-check-for-accura-scan' ), 'accura_idl_api' ),
			'upstream_url' => array( __( 'Upstream URL', 'id-liveness-check-for-accura-scan' ), 'accura_idl_api' ),
			'sandbox'      => array( __( 'Sandbox mode', 'id-liveness-check-for-accura-scan' ), 'accura_idl_api' ),
			'rate_limit'   => array( __( 'Checks per visitor per hour', 'id-liveness-check-for-accura-scan' ), 'accura_idl_api' ),
			'daily_cap'    => array( __( 'Checks per day, whole site', 'id-liveness-check-for-accura-scan' ), 'accura_idl_api' ),
			'country_code' => array( __( 'Country code', 'id-liveness-check-for-accura-scan' ), 'accura_idl_widget' ),
			'card_code'    => array( __( 'Card code', 'id-liveness-check-for-accura-scan' ), 'accura_idl_widget' ),
			'threshold'    => array( __( 'Threshold', 'id-liveness-check-for-accura-scan' ), 'accura_idl_widget' ),
		);
		foreach ( $fields as $name => list( $label, $section ) ) {
			add_settings_field(
				'accura_idl_' . $name,
				$label,
				array( self::class, 'field' ),
				self::PAGE,
				$section,
				array(
					'name'      => $name,
					'label_for' => 'accura_idl_' . $name,
				)
			);
		}
	}

	/**
	 * One field. The key is never printed back: only that one is set, and its last 4 characters.
	 *
	 * @param array{name: string, label_for: string} $args The field.
	 */
	public static function field( array $args ): void {
		$settings = Accura_IDL_Settings::get();
		$name     = $args['name'];
		$id       = $args['label_for'];
		$input    = Accura_IDL_Settings::OPTION . '[' . $name . ']';
		switch ( $name ) {
			case 'api_key':
				printf( '<input type="password" id="%s" name="%s" value="" autocomplete="off" class="regular-text" />', esc_attr( $id ), esc_attr( $input ) );
				if ( '' !== $settings['api_key'] ) {
					echo '<p class="description">';
					/* translators: %s: the last four characters of the API key. */
					printf( esc_html__( 'A key is set, ending in %s. Leave the field empty to keep it.', 'id-liveness-check-for-accura-scan' ), '<code>' . esc_html( substr( $settings['api_key'], -4 ) ) . '</code>' );
					echo '</p><p><label><input type="checkbox" name="' . esc_attr( Accura_IDL_Settings::OPTION . '[remove_key]' ) . '" value="1" /> ' . esc_html__( 'Remove the key', 'id-liveness-check-for-accura-scan' ) . '</label></p>';
				} else {
					echo '<p class="description">' . esc_html__( 'No key is set: the check route answers as a sandbox.', 'id-liveness-check-for-accura-scan' ) . '</p>';
				}
				break;
			case 'sandbox':
				printf(
					'<label><input type="checkbox" id="%s" name="%s" value="1" %s /> %s</label>',
					esc_attr( $id ),
					esc_attr( $input ),
					checked( $settings['sandbox'], true, false ),
					esc_html__( 'Answer every check with a sandbox score; nothing is sent to the API.', 'id-liveness-check-for-accura-scan' )
				);
				break;
			case 'rate_limit':
				printf( '<input type="number" id="%s" name="%s" value="%s" min="0" max="100000" step="1" class="small-text" />', esc_attr( $id ), esc_attr( $input ), esc_attr( (string) $settings['rate_limit'] ) );
				echo '<p class="description">' . esc_html__( 'Counted per visitor IP address; 0 means no limit.', 'id-liveness-check-for-accura-scan' ) . '</p>';
				break;
			case 'daily_cap':
				printf( '<input type="number" id="%s" name="%s" value="%s" min="0" max="100000" step="1" class="small-text" />', esc_attr( $id ), esc_attr( $input ), esc_attr( (string) $settings['daily_cap'] ) );
				echo '<p class="description">' . esc_html__( 'Past it, checks are refused until midnight (the site\'s time zone), so nobody can run up your Accura Scan bill; 0 means no cap.', 'id-liveness-check-for-accura-scan' ) . '</p>';
				echo '<p id="accura-idl-today">';
				printf(
					/* translators: %s: number of checks. */
					esc_html( _n( 'Today: %s check sent to Accura Scan.', 'Today: %s checks sent to Accura Scan.', Accura_IDL_Quota::today(), 'id-liveness-check-for-accura-scan' ) ),
					'<strong>' . esc_html( number_format_i18n( Accura_IDL_Quota::today() ) ) . '</strong>'
				);
				echo '</p>';
				break;
			case 'threshold':
				printf( '<input type="number" id="%s" name="%s" value="%s" min="0" max="100" step="0.01" class="small-text" />', esc_attr( $id ), esc_attr( $input ), esc_attr( (string) $settings['threshold'] ) );
				echo '<p class="description">' . esc_html__( 'A score above this is Live; at or below it, Spoof. Accura recommends 55.', 'id-liveness-check-for-accura-scan' ) . '</p>';
				break;
			default:
				printf( '<input type="%s" id="%s" name="%s" value="%s" class="regular-text" />', 'upstream_url' === $name ? 'url' : 'text', esc_attr( $id ), esc_attr( $input ), esc_attr( (string) $settings[ $name ] ) );
		}
	}

	/** The page. */
	public static function page(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		if ( Accura_IDL_Settings::is_sandbox() ) {
			echo '<div class="notice notice-warning inline" id="accura-idl-sandbox-notice"><p><strong>' . esc_html__( 'Sandbox: no real liveness check is being made.', 'id-liveness-check-for-accura-scan' ) . '</strong> '
				. esc_html__( 'Visitors get a sandbox score that says nothing about the document. Set an API key and turn sandbox mode off to check for real.', 'id-liveness-check-for-accura-scan' ) . '</p></div>';
		}
		echo '<form action="' . esc_url( admin_url( 'options.php' ) ) . '" method="post">';
		settings_fields( self::GROUP );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form>';
		echo '<p>' . esc_html__( 'Place the widget with the "ID Liveness Check" block or the [id_liveness_check country="IND" card="MRZ"] shortcode. The plugin stores nothing but these settings, an hourly counter per visitor and today\'s count of checks.', 'id-liveness-check-for-accura-scan' ) . '</p></div>';
	}

	/** Suggests text for the site's privacy policy (Settings → Privacy): what is sent where, and what is kept. */
	public static function privacy_policy(): void {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		$paragraphs = array(
			__( 'When you check an identity document on this site, the photo of the document, the country code and the document type are sent from this site to Accura Scan (api.accurascan.com), which judges whether the photo shows the real card. Accura Scan\'s terms and privacy policy apply: https://accurascan.com/terms-and-conditions and https://accurascan.com/privacy-policy.', 'id-liveness-check-for-accura-scan' ),
			__( 'The photo is made smaller and its metadata (such as the place it was taken) is removed in your browser before it is sent. This site does not store the photo or the result: it is passed on to Accura Scan and the answer is passed back to your browser.', 'id-liveness-check-for-accura-scan' ),
			__( 'To stop one visitor from making too many checks, this site counts checks per visitor for an hour under a one-way hash of the IP address, and keeps a count of today\'s checks for the whole site.', 'id-liveness-check-for-accura-scan' ),
		);

		$text = '';
		foreach ( $paragraphs as $paragraph ) {
			$text .= '<p>' . esc_html( $paragraph ) . '</p>';
		}
		wp_add_privacy_policy_content( __( 'ID Liveness Check for Accura Scan', 'id-liveness-check-for-accura-scan' ), wp_kses_post( $text ) );
	}
}

<?php
/**
 * The block and the shortcode: both render the same <accura-id-liveness> tag.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the "ID Liveness Check" block and the [id_liveness_check] shortcode (and the
 * [accura_id_liveness] it was first called, so pages made with it keep working).
 */
final class Accura_IDL_Render {

	/** The script handle: the widget's classic build, shipped in assets/. */
	public const HANDLE = 'accura-id-liveness';

	/** The script that gives each widget on the page a fresh token at run time. */
	public const TOKEN_HANDLE = 'accura-id-liveness-token';

	/** The block editor's script: plain wp.* globals, so the plugin needs no build. */
	public const EDITOR_HANDLE = 'accura-id-liveness-editor';

	/** The shortcode. */
	public const SHORTCODE = 'id_liveness_check';

	/** The shortcode's first name, kept as an alias. */
	public const OLD_SHORTCODE = 'accura_id_liveness';

	/** Each script handle's file in assets/, whose hash the build writes into assets/integrity.php. */
	private const FILES = array(
		self::HANDLE       => 'accura-id-liveness.min.js',
		self::TOKEN_HANDLE => 'token.js',
	);

	private const MODES = array( 'auto', 'camera', 'upload' );

	private const DOCUMENT_TYPES = array( 'id-card', 'passport' );

	/** Hooks the block, the shortcode and the script. */
	public static function register(): void {
		add_action( 'init', array( self::class, 'init' ) );
		add_filter( 'script_loader_tag', array( self::class, 'add_integrity' ), 10, 2 );
	}

	/** Registers the script (enqueued only by a page that renders the widget), the block and the shortcode. */
	public static function init(): void {
		// The token script first: it sets each widget's getToken before the element upgrades.
		wp_register_script( self::TOKEN_HANDLE, plugins_url( 'assets/' . self::FILES[ self::TOKEN_HANDLE ], ACCURA_IDL_FILE ), array(), ACCURA_IDL_VERSION, true );
		wp_register_script( self::HANDLE, plugins_url( 'assets/' . self::FILES[ self::HANDLE ], ACCURA_IDL_FILE ), array( self::TOKEN_HANDLE ), ACCURA_IDL_VERSION, true );
		wp_register_script(
			self::EDITOR_HANDLE,
			plugins_url( 'blocks/id-liveness/editor.js', ACCURA_IDL_FILE ),
			array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
			ACCURA_IDL_VERSION,
			true
		);
		wp_set_script_translations( self::EDITOR_HANDLE, 'id-liveness-check-for-accura-scan' );
		register_block_type(
			ACCURA_IDL_DIR . 'blocks/id-liveness',
			array( 'render_callback' => array( self::class, 'render_block' ) )
		);
		add_shortcode( self::SHORTCODE, array( self::class, 'render_shortcode' ) );
		add_shortcode( self::OLD_SHORTCODE, array( self::class, 'render_shortcode' ) );
	}

	/**
	 * The block's markup.
	 *
	 * @param array<string, mixed> $attributes The block's attributes.
	 */
	public static function render_block( array $attributes ): string {
		return self::render(
			array(
				'country'   => $attributes['countryCode'] ?? '',
				'card'      => $attributes['cardCode'] ?? '',
				'threshold' => $attributes['threshold'] ?? '',
				'mode'      => $attributes['mode'] ?? '',
				'document'  => $attributes['documentType'] ?? '',
			),
			get_block_wrapper_attributes()
		);
	}

	/**
	 * `[id_liveness_check country="IND" card="MRZ" threshold="55" mode="auto" document="id-card"]`.
	 *
	 * @param array<string, string>|string $atts      The shortcode's attributes ('' when none).
	 * @param string|null                  $content   Enclosed content (unused).
	 * @param string                       $shortcode The name it was called by.
	 */
	public static function render_shortcode( $atts, $content = null, string $shortcode = self::SHORTCODE ): string {
		$atts = shortcode_atts(
			array(
				'country'   => '',
				'card'      => '',
				'threshold' => '',
				'mode'      => '',
				'document'  => '',
			),
			is_array( $atts ) ? $atts : array(),
			$shortcode
		);
		return self::render( $atts, '' );
	}

	/**
	 * The tag, with each value checked and escaped; bad or empty values fall back to the settings.
	 * Enqueues the scripts, so only pages that show the widget load them. The page holds no token,
	 * nothing that expires: a page cache may keep it as long as it likes.
	 *
	 * @param array<string, mixed> $atts    country, card, threshold, mode, document.
	 * @param string               $wrapper Extra attributes of the block wrapper (already escaped).
	 */
	private static function render( array $atts, string $wrapper ): string {
		$settings  = Accura_IDL_Settings::get();
		$country   = Accura_IDL_Settings::country_code( $atts['country'] );
		$card      = Accura_IDL_Settings::card_code( $atts['card'] );
		$threshold = Accura_IDL_Settings::threshold( $atts['threshold'] );
		$mode      = in_array( $atts['mode'], self::MODES, true ) ? $atts['mode'] : 'auto';
		$document  = in_array( $atts['document'], self::DOCUMENT_TYPES, true ) ? $atts['document'] : 'id-card';

		wp_enqueue_script( self::HANDLE );
		return sprintf(
			'<div %1$s><accura-id-liveness endpoint="%2$s" data-token-url="%3$s" country-code="%4$s" card-code="%5$s" threshold="%6$s" mode="%7$s" document-type="%8$s"></accura-id-liveness></div>',
			'' === $wrapper ? 'class="accura-id-liveness"' : $wrapper,
			esc_url( Accura_IDL_Proxy::url() ),
			esc_url( Accura_IDL_Proxy::token_url() ),
			esc_attr( '' !== $country ? $country : $settings['country_code'] ),
			esc_attr( '' !== $card ? $card : $settings['card_code'] ),
			esc_attr( (string) ( $threshold ?? $settings['threshold'] ) ),
			esc_attr( $mode ),
			esc_attr( $document )
		);
	}

	/**
	 * Adds `integrity` and `crossorigin` to the plugin's script tags: the hashes the build wrote into
	 * assets/integrity.php. WordPress 6.1 has no API for it, so the tag is filtered.
	 *
	 * @param string $tag    The <script> tag.
	 * @param string $handle Its handle.
	 */
	public static function add_integrity( string $tag, string $handle ): string {
		if ( ! isset( self::FILES[ $handle ] ) ) {
			return $tag;
		}
		$file   = ACCURA_IDL_DIR . 'assets/integrity.php';
		$hashes = is_readable( $file ) ? include $file : array();
		$hash   = is_array( $hashes ) ? ( $hashes[ self::FILES[ $handle ] ] ?? '' ) : '';
		if ( '' === $hash ) {
			return $tag;
		}
		// Only the tag with a src: an inline script another plugin adds to the handle has no hash to match.
		return preg_replace( '/<script(?=[^>]*\bsrc=)/', sprintf( '<script integrity="%s" crossorigin="anonymous"', esc_attr( $hash ) ), $tag, 1 );
	}
}

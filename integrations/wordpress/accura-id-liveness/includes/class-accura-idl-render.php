<?php
/**
 * The block and the shortcode: both render the same <accura-id-liveness> tag.
 *
 * @package AccuraIdLiveness
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the "ID Liveness check" block and the [accura_id_liveness] shortcode.
 */
final class Accura_IDL_Render {

	/** The script handle: the widget's classic build, shipped in assets/. */
	public const HANDLE = 'accura-id-liveness';

	private const MODES = array( 'auto', 'camera', 'upload' );

	private const DOCUMENT_TYPES = array( 'id-card', 'passport' );

	/** Hooks the block, the shortcode and the script. */
	public static function register(): void {
		add_action( 'init', array( self::class, 'init' ) );
		add_filter( 'script_loader_tag', array( self::class, 'add_integrity' ), 10, 2 );
	}

	/** Registers the script (enqueued only by a page that renders the widget), the block and the shortcode. */
	public static function init(): void {
		wp_register_script( self::HANDLE, plugins_url( 'assets/accura-id-liveness.min.js', ACCURA_IDL_FILE ), array(), ACCURA_IDL_VERSION, true );
		register_block_type(
			ACCURA_IDL_DIR . 'blocks/id-liveness',
			array( 'render_callback' => array( self::class, 'render_block' ) )
		);
		add_shortcode( 'accura_id_liveness', array( self::class, 'render_shortcode' ) );
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
	 * `[accura_id_liveness country="IND" card="MRZ" threshold="55" mode="auto" document="id-card"]`.
	 *
	 * @param array<string, string>|string $atts The shortcode's attributes ('' when none).
	 */
	public static function render_shortcode( $atts ): string {
		$atts = shortcode_atts(
			array(
				'country'   => '',
				'card'      => '',
				'threshold' => '',
				'mode'      => '',
				'document'  => '',
			),
			is_array( $atts ) ? $atts : array(),
			'accura_id_liveness'
		);
		return self::render( $atts, '' );
	}

	/**
	 * The tag, with each value checked and escaped; bad or empty values fall back to the settings.
	 * Enqueues the script, so only pages that show the widget load it.
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
			'<div %1$s><accura-id-liveness endpoint="%2$s" token="%3$s" country-code="%4$s" card-code="%5$s" threshold="%6$s" mode="%7$s" document-type="%8$s"></accura-id-liveness></div>',
			'' === $wrapper ? 'class="accura-id-liveness"' : $wrapper,
			esc_url( Accura_IDL_Proxy::url() ),
			esc_attr( Accura_IDL_Nonce::create() ),
			esc_attr( '' !== $country ? $country : $settings['country_code'] ),
			esc_attr( '' !== $card ? $card : $settings['card_code'] ),
			esc_attr( (string) ( $threshold ?? $settings['threshold'] ) ),
			esc_attr( $mode ),
			esc_attr( $document )
		);
	}

	/**
	 * Adds `integrity` and `crossorigin` to the widget's script tag: the hash the build wrote into
	 * assets/integrity.php. WordPress 6.1 has no API for it, so the tag is filtered.
	 *
	 * @param string $tag    The <script> tag.
	 * @param string $handle Its handle.
	 */
	public static function add_integrity( string $tag, string $handle ): string {
		if ( self::HANDLE !== $handle ) {
			return $tag;
		}
		$file   = ACCURA_IDL_DIR . 'assets/integrity.php';
		$hashes = is_readable( $file ) ? include $file : array();
		$hash   = is_array( $hashes ) ? ( $hashes['accura-id-liveness.min.js'] ?? '' ) : '';
		if ( '' === $hash ) {
			return $tag;
		}
		// Only the tag with a src: an inline script another plugin adds to the handle has no hash to match.
		return preg_replace( '/<script(?=[^>]*\bsrc=)/', sprintf( '<script integrity="%s" crossorigin="anonymous"', esc_attr( $hash ) ), $tag, 1 );
	}
}

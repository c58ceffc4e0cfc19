<?php
/**
 * The PHP proxy: POST /wp-json/id-liveness-check/v1/check, the only place that uses the API key,
 * and GET /wp-json/id-liveness-check/v1/token, which hands the widget a fresh token at run time.
 *
 * It mirrors the package's Node proxy (src/server/proxy.ts): the same checks in the same order
 * (token, origin, size, fields, image type, then what the check costs), with the same JSON error
 * codes spelled the same. Its costs are a per-visitor hourly limit and a site-wide daily cap.
 *
 * @package IdLivenessCheck
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers and serves the check route.
 */
final class Accura_IDL_Proxy {

	/** The REST namespace. */
	public const REST_NAMESPACE = 'id-liveness-check/v1';

	/** The route under the namespace. */
	public const ROUTE = '/check';

	/** The token route under the namespace. */
	public const TOKEN_ROUTE = '/token';

	/** Accura's image limit: 1 MB. */
	public const MAX_BYTES = 1000000;

	/** Room for the multipart boundaries and the two code fields on top of the image (as the Node proxy). */
	public const FORM_FIELD_ALLOWANCE = 16384;

	/** The only fields a liveness form may carry. */
	private const TEXT_FIELDS = array( 'country_code', 'card_code' );

	/** Hooks the route into the REST API. */
	public static function register(): void {
		add_action( 'rest_api_init', array( self::class, 'routes' ) );
		// Before core's own OPTIONS handler (priority 10), which would answer any origin.
		add_filter( 'rest_pre_dispatch', array( self::class, 'preflight' ), 5, 3 );
	}

	/** The route's URL, for the widget's `endpoint`. */
	public static function url(): string {
		return rest_url( self::REST_NAMESPACE . self::ROUTE );
	}

	/** The token route's URL, for the widget's token script. */
	public static function token_url(): string {
		return rest_url( self::REST_NAMESPACE . self::TOKEN_ROUTE );
	}

	/** Registers POST, and a 405 for every other method. */
	public static function routes(): void {
		register_rest_route(
			self::REST_NAMESPACE,
			self::ROUTE,
			array(
				array(
					'methods'             => 'POST',
					'callback'            => array( self::class, 'check' ),
					// Anyone with the page's token may check; the callback runs every check in order.
					'permission_callback' => '__return_true',
				),
				array(
					'methods'             => 'GET, PUT, PATCH, DELETE',
					'callback'            => static fn () => self::fail( 405, 'method-not-allowed', 'Use POST' ),
					'permission_callback' => '__return_true',
				),
			)
		);
		register_rest_route(
			self::REST_NAMESPACE,
			self::TOKEN_ROUTE,
			array(
				'methods'             => 'GET',
				'callback'            => array( self::class, 'token' ),
				// Public like the pages that show the widget; what a token may spend is limited by the check route.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * A fresh token, never cached: not by the browser, not by a page cache or a CDN in between.
	 * Page caches skip a response with these headers (and DONOTCACHEPAGE, which WP Super Cache,
	 * W3 Total Cache and LiteSpeed Cache read), so a cached page always gets a live token.
	 */
	public static function token(): WP_REST_Response {
		if ( ! defined( 'DONOTCACHEPAGE' ) ) {
			define( 'DONOTCACHEPAGE', true ); // phpcs:ignore WordPress.NamingConventions.PrefixAllGlobals.NonPrefixedConstantFound -- the page caches' own flag, not ours.
		}
		nocache_headers();
		return self::no_store(
			new WP_REST_Response(
				array(
					'token'     => Accura_IDL_Token::create(),
					'expiresIn' => Accura_IDL_Token::LIFETIME,
				),
				200
			)
		);
	}

	/**
	 * Our route is same-origin only: refuse a preflight from another origin (as the Node proxy does),
	 * and drop the REST API's default CORS answer, which echoes any Origin.
	 *
	 * @param mixed           $result  An earlier filter's answer, or null.
	 * @param WP_REST_Server  $server  The server.
	 * @param WP_REST_Request $request The request.
	 * @return mixed
	 */
	public static function preflight( $result, $server, $request ) {
		if ( null !== $result || ! str_starts_with( $request->get_route(), '/' . self::REST_NAMESPACE ) ) {
			return $result;
		}
		remove_filter( 'rest_pre_serve_request', 'rest_send_cors_headers' );
		if ( 'OPTIONS' === $request->get_method() && ! self::is_allowed_origin( (string) $request->get_header( 'origin' ) ) ) {
			return self::fail( 403, 'forbidden-origin', 'This origin may not call this server' );
		}
		return $result;
	}

	/**
	 * The check: token, origin, rate, size, fields, image type; then the sandbox answer or Accura's.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	public static function check( WP_REST_Request $request ): WP_REST_Response {
		if ( ! Accura_IDL_Token::verify( self::bearer_token( $request ) ) ) {
			return self::fail( 401, 'unauthorized', 'A valid token is required: Authorization: Bearer <token>' );
		}
		if ( ! self::is_allowed_origin( (string) $request->get_header( 'origin' ) ) ) {
			return self::fail( 403, 'forbidden-origin', 'This origin may not call this server' );
		}
		// PHP has read the body by now, but an honest length is refused before anything looks at it.
		$length = (int) $request->get_header( 'content_length' );
		if ( $length > self::MAX_BYTES + self::FORM_FIELD_ALLOWANCE ) {
			return self::too_large();
		}

		$form = self::read_form( $request );
		if ( $form instanceof WP_REST_Response ) {
			return $form;
		}
		$format = self::sniff( $form['image'] );
		if ( null === $format ) {
			return self::fail( 415, 'unsupported-media-type', 'liveness_image must be a JPEG, PNG or WebP image' );
		}

		// Only a well-formed check is counted (as the Node proxy charges its quotas).
		$retry_after = Accura_IDL_Quota::take_visitor();
		if ( null !== $retry_after ) {
			return self::retry_later( 429, 'rate-limited', 'Too many checks from this visitor; try again later', $retry_after );
		}
		if ( Accura_IDL_Settings::is_sandbox() ) {
			return self::no_store( new WP_REST_Response( Accura_IDL_Sandbox::answer( $form['image'] ), 200 ) );
		}
		// The daily cap counts what the owner pays for: checks sent to the API.
		$retry_after = Accura_IDL_Quota::take_daily();
		if ( null !== $retry_after ) {
			return self::retry_later( 429, 'quota-exceeded', "This site's daily number of checks is used up; try again tomorrow", $retry_after );
		}
		return self::forward( Accura_IDL_Settings::get(), $form, $format );
	}

	/**
	 * The Bearer token. Some SAPIs hide Authorization from PHP; Apache's rewrite passes it on as
	 * REDIRECT_HTTP_AUTHORIZATION, which WordPress already maps to the header.
	 *
	 * @param WP_REST_Request $request The request.
	 */
	private static function bearer_token( WP_REST_Request $request ): string {
		$header = (string) $request->get_header( 'authorization' );
		if ( '' === $header && function_exists( 'getallheaders' ) ) {
			foreach ( getallheaders() as $name => $value ) {
				if ( 'authorization' === strtolower( $name ) ) {
					$header = (string) $value;
				}
			}
		}
		return preg_match( '/^Bearer\s+(\S+)$/i', trim( $header ), $match ) ? $match[1] : '';
	}

	/**
	 * Same origin only: the site's own origin (home and site URL). An empty Origin is never allowed.
	 *
	 * @param string $origin The request's Origin header.
	 */
	private static function is_allowed_origin( string $origin ): bool {
		if ( '' === $origin ) {
			return false;
		}
		$allowed = array_unique( array( self::origin_of( home_url() ), self::origin_of( site_url() ) ) );
		/**
		 * Filters the origins whose pages may call the check route. Default: the site's own.
		 *
		 * @param string[] $allowed Exact origins, such as https://example.com.
		 */
		$allowed = (array) apply_filters( 'accura_idl_allowed_origins', $allowed );
		return in_array( $origin, $allowed, true );
	}

	/**
	 * The scheme://host[:port] of a URL.
	 *
	 * @param string $url A URL.
	 */
	private static function origin_of( string $url ): string {
		$parts = wp_parse_url( $url );
		if ( empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
			return '';
		}
		return strtolower( $parts['scheme'] . '://' . $parts['host'] ) . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
	}

	/**
	 * The three fields, or the error answer. Any other field, or a field sent as an array, is refused.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return array{image: string, country_code: string, card_code: string}|WP_REST_Response
	 */
	private static function read_form( WP_REST_Request $request ) {
		$type = strtolower( (string) $request->get_header( 'content_type' ) );
		if ( ! str_starts_with( $type, 'multipart/form-data' ) ) {
			return self::fail( 400, 'malformed-body', 'Expected a multipart/form-data body' );
		}
		$fields = $request->get_body_params();
		$files  = $request->get_file_params();
		$names  = array_merge( array_keys( $fields ), array_keys( $files ) );
		foreach ( $names as $name ) {
			$known = isset( $files[ $name ] ) ? 'liveness_image' === $name && ! is_array( $files[ $name ]['name'] ?? null ) : in_array( $name, self::TEXT_FIELDS, true ) && is_string( $fields[ $name ] );
			if ( ! $known ) {
				return self::fail( 400, 'unexpected-field', 'Only liveness_image, country_code and card_code are accepted, each once' );
			}
		}

		$file  = $files['liveness_image'] ?? null;
		$error = is_array( $file ) ? (int) ( $file['error'] ?? UPLOAD_ERR_NO_FILE ) : UPLOAD_ERR_NO_FILE;
		if ( UPLOAD_ERR_INI_SIZE === $error || UPLOAD_ERR_FORM_SIZE === $error ) {
			return self::too_large();
		}
		if ( UPLOAD_ERR_OK !== $error || (int) $file['size'] <= 0 || ! is_uploaded_file( $file['tmp_name'] ) ) {
			return self::fail( 400, 'missing-field', 'liveness_image must be a non-empty file' );
		}
		if ( (int) $file['size'] > self::MAX_BYTES ) {
			return self::fail( 413, 'payload-too-large', 'liveness_image is larger than ' . self::MAX_BYTES . ' bytes' );
		}
		$country = $fields['country_code'] ?? '';
		$card    = $fields['card_code'] ?? '';
		if ( '' === trim( $country ) ) {
			return self::fail( 400, 'missing-field', 'country_code is required' );
		}
		if ( '' === trim( $card ) ) {
			return self::fail( 400, 'missing-field', 'card_code is required' );
		}
		$country_code = Accura_IDL_Settings::country_code( $country );
		if ( '' === $country_code ) {
			return self::fail( 400, 'invalid-field', 'country_code must be 3 letters (ISO 3166-1 alpha-3, e.g. IND)' );
		}
		$card_code = Accura_IDL_Settings::card_code( $card );
		if ( '' === $card_code ) {
			return self::fail( 400, 'invalid-field', 'card_code must be 1-16 characters of A-Z, a-z, 0-9, _ or -' );
		}
		// Read from PHP's own upload file, which PHP deletes when the request ends: nothing is kept.
		$image = file_get_contents( $file['tmp_name'] ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents -- a local upload file, not a URL: wp_remote_get() can't read it.
		if ( false === $image ) {
			return self::fail( 400, 'missing-field', 'liveness_image must be a non-empty file' );
		}
		return array(
			'image'        => $image,
			'country_code' => $country_code,
			'card_code'    => $card_code,
		);
	}

	/**
	 * The format from the magic bytes, whatever the name or type claims: jpeg, png, webp or null.
	 *
	 * @param string $bytes The image.
	 */
	public static function sniff( string $bytes ): ?string {
		if ( str_starts_with( $bytes, "\xFF\xD8\xFF" ) ) {
			return 'jpeg';
		}
		if ( str_starts_with( $bytes, "\x89PNG\r\n\x1A\n" ) ) {
			return 'png';
		}
		if ( 'RIFF' === substr( $bytes, 0, 4 ) && 'WEBP' === substr( $bytes, 8, 4 ) ) {
			return 'webp';
		}
		return null;
	}

	/**
	 * Sends exactly the three fields upstream with the key, and answers its status and JSON.
	 *
	 * @param array<string, mixed>                                          $settings The settings.
	 * @param array{image: string, country_code: string, card_code: string} $form     The checked form.
	 * @param string                                                        $format   jpeg, png or webp.
	 */
	private static function forward( array $settings, array $form, string $format ): WP_REST_Response {
		$boundary = 'accura-idl-' . wp_generate_password( 24, false );
		$part     = static fn ( string $headers, string $value ): string => "--{$boundary}\r\n{$headers}\r\n\r\n{$value}\r\n";
		// The file name and type come from the bytes, never from the client.
		$body = $part( "Content-Disposition: form-data; name=\"liveness_image\"; filename=\"liveness.{$format}\"\r\nContent-Type: image/{$format}", $form['image'] )
			. $part( 'Content-Disposition: form-data; name="country_code"', $form['country_code'] )
			. $part( 'Content-Disposition: form-data; name="card_code"', $form['card_code'] )
			. "--{$boundary}--\r\n";

		/**
		 * Filters how long, in seconds, to wait for the liveness API before answering 504.
		 *
		 * @param float $timeout Default 30, or the ACCURA_IDL_UPSTREAM_TIMEOUT constant.
		 */
		$timeout  = (float) apply_filters( 'accura_idl_upstream_timeout', defined( 'ACCURA_IDL_UPSTREAM_TIMEOUT' ) ? (float) ACCURA_IDL_UPSTREAM_TIMEOUT : 30.0 );
		$started  = microtime( true );
		$response = wp_remote_post(
			$settings['upstream_url'],
			array(
				'headers'     => array(
					'Api-Key'      => $settings['api_key'],
					'Accept'       => 'application/json',
					'Content-Type' => "multipart/form-data; boundary={$boundary}",
				),
				'body'        => $body,
				'timeout'     => $timeout,
				'redirection' => 0,
			)
		);
		if ( is_wp_error( $response ) ) {
			$message   = strtolower( $response->get_error_message() );
			$timed_out = str_contains( $message, 'timed out' ) || str_contains( $message, 'timeout' ) || microtime( true ) - $started >= $timeout * 0.95;
			return $timed_out
				? self::fail( 504, 'upstream-timeout', 'The liveness API did not answer within ' . $timeout . ' s' )
				: self::fail( 502, 'upstream-unreachable', 'The liveness API could not be reached' );
		}
		// A 401 or 403 from Accura is about this server's key, not the visitor: no new token can help.
		$upstream_status = (int) wp_remote_retrieve_response_code( $response );
		if ( 401 === $upstream_status || 403 === $upstream_status ) {
			return self::fail( 502, 'upstream-unauthorized', "The liveness API refused this server's API key: check the key in the plugin settings" );
		}
		$data = json_decode( wp_remote_retrieve_body( $response ) );
		if ( JSON_ERROR_NONE !== json_last_error() ) {
			return self::fail( 502, 'upstream-invalid-response', 'The liveness API answered with something other than JSON' );
		}
		return self::no_store( new WP_REST_Response( $data, (int) wp_remote_retrieve_response_code( $response ) ) );
	}

	/**
	 * A 429 with Retry-After.
	 *
	 * @param int    $status      429.
	 * @param string $code        rate-limited or quota-exceeded.
	 * @param string $message     For people.
	 * @param int    $retry_after Seconds.
	 */
	private static function retry_later( int $status, string $code, string $message, int $retry_after ): WP_REST_Response {
		$response = self::fail( $status, $code, $message );
		$response->header( 'Retry-After', (string) $retry_after );
		return $response;
	}

	/** The 413 answer. */
	private static function too_large(): WP_REST_Response {
		return self::fail( 413, 'payload-too-large', 'The body is larger than ' . self::MAX_BYTES . ' bytes plus form fields' );
	}

	/**
	 * `{ status: false, code, message }`, with Connection: close (the body may be unread).
	 *
	 * @param int    $status  HTTP status.
	 * @param string $code    A stable error code, as the Node proxy's.
	 * @param string $message For people; codes are for programs.
	 */
	private static function fail( int $status, string $code, string $message ): WP_REST_Response {
		$response = self::no_store(
			new WP_REST_Response(
				array(
					'status'  => false,
					'code'    => $code,
					'message' => $message,
				),
				$status
			)
		);
		$response->header( 'Connection', 'close' );
		return $response;
	}

	/**
	 * Liveness answers are per request: no cache may keep them.
	 *
	 * @param WP_REST_Response $response The answer.
	 */
	private static function no_store( WP_REST_Response $response ): WP_REST_Response {
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}
}

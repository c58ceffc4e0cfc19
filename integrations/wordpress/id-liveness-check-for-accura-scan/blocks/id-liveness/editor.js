/**
 * The "ID Liveness Check" block in the editor: settings in the sidebar, a placeholder in the
 * canvas (the widget itself renders on the page, through the server). Plain wp.* globals, no build.
 */
( function ( wp ) {
	const { registerBlockType } = wp.blocks;
	const { createElement: el, Fragment } = wp.element;
	const { InspectorControls, useBlockProps } = wp.blockEditor;
	const { PanelBody, TextControl, SelectControl, Placeholder } = wp.components;
	const { __ } = wp.i18n;

	registerBlockType( 'accura-id-liveness/check', {
		edit( { attributes, setAttributes } ) {
			const { countryCode, cardCode, threshold, mode, documentType } = attributes;
			return el(
				Fragment,
				null,
				el(
					InspectorControls,
					null,
					el(
						PanelBody,
						{ title: __( 'Check', 'id-liveness-check-for-accura-scan' ) },
						el( TextControl, {
							label: __( 'Country code (ISO alpha-3)', 'id-liveness-check-for-accura-scan' ),
							help: __( 'Empty: the default from Settings → ID Liveness Check.', 'id-liveness-check-for-accura-scan' ),
							value: countryCode,
							maxLength: 3,
							onChange: ( value ) => setAttributes( { countryCode: value.toUpperCase() } ),
						} ),
						el( TextControl, {
							label: __( 'Card code', 'id-liveness-check-for-accura-scan' ),
							help: __( 'Such as MRZ. Empty: the default from the settings.', 'id-liveness-check-for-accura-scan' ),
							value: cardCode,
							onChange: ( value ) => setAttributes( { cardCode: value } ),
						} ),
						el( TextControl, {
							label: __( 'Threshold (0-100)', 'id-liveness-check-for-accura-scan' ),
							type: 'number',
							min: 0,
							max: 100,
							value: threshold === undefined ? '' : String( threshold ),
							onChange: ( value ) => setAttributes( { threshold: value === '' ? undefined : Number( value ) } ),
						} ),
						el( SelectControl, {
							label: __( 'Capture', 'id-liveness-check-for-accura-scan' ),
							value: mode,
							options: [
								{ label: __( 'Camera or upload', 'id-liveness-check-for-accura-scan' ), value: 'auto' },
								{ label: __( 'Camera only', 'id-liveness-check-for-accura-scan' ), value: 'camera' },
								{ label: __( 'Upload only', 'id-liveness-check-for-accura-scan' ), value: 'upload' },
							],
							onChange: ( value ) => setAttributes( { mode: value } ),
						} ),
						el( SelectControl, {
							label: __( 'Document', 'id-liveness-check-for-accura-scan' ),
							value: documentType,
							options: [
								{ label: __( 'ID card', 'id-liveness-check-for-accura-scan' ), value: 'id-card' },
								{ label: __( 'Passport', 'id-liveness-check-for-accura-scan' ), value: 'passport' },
							],
							onChange: ( value ) => setAttributes( { documentType: value } ),
						} )
					)
				),
				el(
					'div',
					useBlockProps(),
					el( Placeholder, {
						icon: 'id-alt',
						label: __( 'ID Liveness Check', 'id-liveness-check-for-accura-scan' ),
						instructions: __( 'Visitors photograph their document here. The check goes through this site; the API key never reaches the browser.', 'id-liveness-check-for-accura-scan' ),
					} )
				)
			);
		},
		// Dynamic: the server renders the tag with a fresh page token.
		save: () => null,
	} );
} )( window.wp );

/**
 * The "ID Liveness check" block in the editor: settings in the sidebar, a placeholder in the
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
						{ title: __( 'Check', 'accura-id-liveness' ) },
						el( TextControl, {
							label: __( 'Country code (ISO alpha-3)', 'accura-id-liveness' ),
							help: __( 'Empty: the default from Settings → ID Liveness.', 'accura-id-liveness' ),
							value: countryCode,
							maxLength: 3,
							onChange: ( value ) => setAttributes( { countryCode: value.toUpperCase() } ),
						} ),
						el( TextControl, {
							label: __( 'Card code', 'accura-id-liveness' ),
							help: __( 'Such as MRZ. Empty: the default from the settings.', 'accura-id-liveness' ),
							value: cardCode,
							onChange: ( value ) => setAttributes( { cardCode: value } ),
						} ),
						el( TextControl, {
							label: __( 'Threshold (0-100)', 'accura-id-liveness' ),
							type: 'number',
							min: 0,
							max: 100,
							value: threshold === undefined ? '' : String( threshold ),
							onChange: ( value ) => setAttributes( { threshold: value === '' ? undefined : Number( value ) } ),
						} ),
						el( SelectControl, {
							label: __( 'Capture', 'accura-id-liveness' ),
							value: mode,
							options: [
								{ label: __( 'Camera or upload', 'accura-id-liveness' ), value: 'auto' },
								{ label: __( 'Camera only', 'accura-id-liveness' ), value: 'camera' },
								{ label: __( 'Upload only', 'accura-id-liveness' ), value: 'upload' },
							],
							onChange: ( value ) => setAttributes( { mode: value } ),
						} ),
						el( SelectControl, {
							label: __( 'Document', 'accura-id-liveness' ),
							value: documentType,
							options: [
								{ label: __( 'ID card', 'accura-id-liveness' ), value: 'id-card' },
								{ label: __( 'Passport', 'accura-id-liveness' ), value: 'passport' },
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
						label: __( 'ID Liveness check', 'accura-id-liveness' ),
						instructions: __( 'Visitors photograph their document here. The check goes through this site; the API key never reaches the browser.', 'accura-id-liveness' ),
					} )
				)
			);
		},
		// Dynamic: the server renders the tag with a fresh page token.
		save: () => null,
	} );
} )( window.wp );

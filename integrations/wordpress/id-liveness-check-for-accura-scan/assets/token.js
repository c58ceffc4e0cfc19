/**
 * Gives each <accura-id-liveness> on the page a fresh token at run time, from the site's uncached
 * token route (its URL is the element's data-token-url). The page itself holds no token, so a page
 * cache may serve it for days: the widget asks for a token before each check, and once more after
 * a 401. Runs before the widget's script; the element picks up getToken when it upgrades.
 */
( function () {
	'use strict';

	function fetchToken( url ) {
		// No cookies: the route needs none, and a cache in between must not key on them.
		return fetch( url, { credentials: 'omit', cache: 'no-store', headers: { Accept: 'application/json' } } )
			.then( function ( response ) {
				if ( ! response.ok ) {
					throw new Error( 'The token route answered ' + response.status );
				}
				return response.json();
			} )
			.then( function ( body ) {
				return body.token;
			} );
	}

	document.querySelectorAll( 'accura-id-liveness[data-token-url]' ).forEach( function ( widget ) {
		const url = widget.getAttribute( 'data-token-url' );
		widget.getToken = function () {
			return fetchToken( url );
		};
	} );
} )();

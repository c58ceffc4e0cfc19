<?php
/**
 * The editor script's dependencies: WordPress's own globals, so the plugin needs no build.
 *
 * @package AccuraIdLiveness
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-i18n' ),
	'version'      => '0.1.0',
);

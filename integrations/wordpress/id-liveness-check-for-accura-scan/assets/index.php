<?php
/**
 * Silence is golden: no folder listing.
 *
 * @package IdLivenessCheck
 */

package io.github.transformers4j.it.archfixture.api;

import java.util.List;

/**
 * Negative-control fixture: an api class that obeys every rule, so the control can show the rules
 * single out the offenders rather than failing everything.
 */
public record CleanShape(List<Integer> dims) {}

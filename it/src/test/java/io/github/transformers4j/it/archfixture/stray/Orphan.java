package io.github.transformers4j.it.archfixture.stray;

/**
 * Negative-control fixture: a class under the project root but under no module's root package,
 * breaking "module name = root package".
 */
public final class Orphan {}

package dev.udpecho.junit5;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What an extension runs, and for how long: from the first callback that finds nothing running (a class's
 * {@code beforeAll} on a static field, a test's {@code beforeEach} on an instance field) to the matching
 * {@code after} callback of the same context; nested classes and tests inherit it. It also marks the extension as
 * the nearest of its kind in that context, so that a {@code @Nested} class's own one answers its parameters.
 *
 * @param <T> what runs: a server or a proxy.
 */
final class Lifetime<T extends AutoCloseable> {
    /** Something started: the extension's builder's {@code start()}. */
    interface Starter<T> {
        T start() throws Exception;
    }

    private final Object extension;
    private final String what;
    private final ExtensionContext.Namespace nearest;
    private volatile T running;
    private String owner;

    /** @param extension whose. @param what for the message when nothing runs, e.g. "the proxy". */
    Lifetime(Object extension, String what) {
        this.extension = extension;
        this.what = what;
        this.nearest = ExtensionContext.Namespace.create(extension.getClass());
    }

    void start(ExtensionContext context, Starter<T> starter) throws Exception {
        if (running == null) {
            running = starter.start();
            owner = context.getUniqueId();
            context.getStore(nearest).put(extension.getClass(), extension);
        }
    }

    void stop(ExtensionContext context) throws Exception {
        T r = running;
        if (r != null && context.getUniqueId().equals(owner)) {
            running = null;
            owner = null;
            r.close();
        }
    }

    /** @return whether this extension, not an outer class's of the same kind, serves {@code context}. */
    boolean isNearest(ExtensionContext context) {
        return context.getStore(nearest).get(extension.getClass()) == extension;
    }

    /** @return what runs. @throws IllegalStateException outside the tests. */
    T get() {
        T r = running;
        if (r == null) {
            throw new IllegalStateException(what + " runs only while tests run");
        }
        return r;
    }

    /** @return what runs, or null. */
    T orNull() {
        return running;
    }
}

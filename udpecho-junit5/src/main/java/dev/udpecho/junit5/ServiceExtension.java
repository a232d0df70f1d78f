package dev.udpecho.junit5;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * An extension that runs something for tests, and for how long: from the first callback that finds nothing
 * running (a class's {@code beforeAll} on a static field, a test's {@code beforeEach} on an instance field) to
 * the matching {@code after} callback of the same context; nested classes and tests inherit it. It also marks
 * itself as the nearest of its kind in that context, so that a {@code @Nested} class's own one answers its
 * parameters.
 *
 * @param <T> what runs: a server or a proxy.
 */
abstract class ServiceExtension<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final String what;
    private final ExtensionContext.Namespace nearest = ExtensionContext.Namespace.create(getClass());
    private volatile T running;
    private String owner;

    /** @param what for the message when nothing runs, e.g. "the proxy". */
    ServiceExtension(String what) {
        this.what = what;
    }

    /** @return what runs, started: the builder's {@code start()}. */
    abstract T startService() throws Exception;

    /** @return whether a parameter of a test is this extension's to give. */
    abstract boolean supports(ParameterContext parameter);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        start(context); // registered on an instance field: one per test
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        stop(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop(context);
    }

    @Override
    public final boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        // Not an outer class's, where a nested class has its own.
        return context.getStore(nearest).get(getClass()) == this && supports(parameter);
    }

    /** Starts what runs, unless it runs already; an extension that another needs is started by it this way. */
    void start(ExtensionContext context) throws Exception {
        if (running == null) {
            running = startService();
            owner = context.getUniqueId();
            context.getStore(nearest).put(getClass(), this);
        }
    }

    private void stop(ExtensionContext context) throws Exception {
        T r = running;
        if (r != null && context.getUniqueId().equals(owner)) {
            running = null;
            owner = null;
            r.close();
        }
    }

    /** @return what runs. @throws IllegalStateException outside the tests. */
    final T running() {
        T r = running;
        if (r == null) {
            throw new IllegalStateException(what + " runs only while tests run");
        }
        return r;
    }

    /** @return what runs, or null. */
    final T runningOrNull() {
        return running;
    }
}

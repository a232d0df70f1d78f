package dev.udpecho.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action on SIGINT and SIGTERM instead of letting the JVM exit with 128 + signal, so that a server
 * stopped by either can finish its summary and exit 0.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK since 9) through reflection, as
 * javac has no way to silence its warning; falls back to a shutdown hook where it is missing.
 */
final class Signals {
    private Signals() {
    }

    /** @param action what to run, on a signal-handling thread, when SIGINT or SIGTERM arrives. */
    static void onTermination(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            InvocationHandler invocation = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    action.run();
                    return null;
                }
                return objectMethod(proxy, method, args);
            };
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    invocation);
            Method handle = signal.getMethod("handle", signal, handlerType);
            for (String name : new String[] {"INT", "TERM"}) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(action, "udpecho-shutdown"));
        }
    }

    /**
     * A command that runs until SIGINT or SIGTERM: {@link #await} returns on one, and the signal's thread holds
     * the JVM's exit (up to {@code hold}) until {@link #done}, so that the summary is printed before it goes.
     * Made before the first line that says the command is up: a supervisor may stop it as soon as it reads that.
     */
    static final class Stop {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);

        Stop(long holdMillis) {
            onTermination(() -> {
                stop.countDown();
                try {
                    stopped.await(holdMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        /** Waits for the signal. */
        void await() throws InterruptedException {
            stop.await();
        }

        /** @return whether the signal came within {@code millis}. */
        boolean await(long millis) throws InterruptedException {
            return stop.await(millis, TimeUnit.MILLISECONDS);
        }

        /** Lets the JVM exit: all is said. */
        void done() {
            stopped.countDown();
        }
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "udpecho signal handler";
        }
    }
}

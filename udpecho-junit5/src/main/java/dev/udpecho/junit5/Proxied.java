package dev.udpecho.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@link java.net.InetSocketAddress} parameter as the address of the {@link UdpProxyExtension}'s proxy,
 * so that a test with both a proxy and a {@link UdpEchoExtension} can take either address: unmarked, an address
 * is the echo server's.
 *
 * <pre>{@code
 * @Test
 * void answersThroughLoss(@Proxied InetSocketAddress proxy, InetSocketAddress server) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Proxied {
}

package dev.udpecho.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test against peers nobody on the team wrote (sockperf, scapy, tshark, dnsmasq and dig): it checks the bytes
 * udpecho puts on the wire and reads back, which are the same on every JDK. CI runs these on its first JDK and
 * leaves them out of the pass on the newest one ({@code -Dudpecho.excludedGroups=slow,peers}), to stay within its
 * time.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("peers")
public @interface Peers {
}

package dev.udpecho.bench;

import dev.udpecho.net.Addresses;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

/**
 * Where a {@link Prober}'s targets come from, asked again and again: a file of {@code HOST[:PORT]} lines, or the
 * A and AAAA records of a DNS name (a Kubernetes headless Service's: one per pod).
 *
 * <p>DNS is asked directly, with the JDK's DNS client (JNDI), not through the JVM's address cache, so that a
 * record added or removed is seen at the next look, whatever the cache's settings.
 */
public final class TargetFinder {
    private TargetFinder() {
    }

    /**
     * @param file        one target per line, {@code host:port}, {@code [v6]:port} or {@code host} (then
     *                    {@code defaultPort}); blank lines and {@code #} comments are skipped.
     * @param defaultPort the port of a line that names none.
     * @return the targets, named as written, resolved now.
     * @throws IOException naming the file and line of one that cannot be read or resolved.
     */
    public static List<Prober.Target> fromFile(Path file, int defaultPort) throws IOException {
        List<Prober.Target> targets = new ArrayList<>();
        int n = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            try {
                targets.add(target(line, defaultPort));
            } catch (IllegalArgumentException | UnknownHostException e) {
                throw new IOException(file + ":" + n + ": " + e.getMessage(), e);
            }
        }
        return targets;
    }

    /**
     * @param text {@code host:port}, {@code [v6]:port}, or {@code host} for {@code defaultPort}.
     * @return the target, named as written.
     * @throws UnknownHostException if the host does not resolve.
     * @throws IllegalArgumentException if the port is not a port.
     */
    public static Prober.Target target(String text, int defaultPort) throws UnknownHostException {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 < text.length() && text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "': not [v6]:port");
            }
            host = text.substring(1, close);
            port = close + 1 < text.length() ? text.substring(close + 2) : null;
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        } // else a host, or a v6 literal without a port
        int p = defaultPort;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
        }
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException("'" + text + "': not a port (1-65535)");
        }
        InetAddress ip;
        try {
            ip = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("cannot resolve '" + host + "'");
        }
        String name = port != null ? text : host.indexOf(':') >= 0 ? "[" + host + "]:" + p : host + ":" + p;
        return new Prober.Target(name, new InetSocketAddress(ip, p));
    }

    /**
     * @param name   the name whose A and AAAA records are the targets, fully qualified (no search domains), e.g.
     *               {@code udpecho-mesh.monitoring.svc.cluster.local}.
     * @param port   the targets' port.
     * @param server the DNS server to ask, or null for the system's.
     * @return one target per address, named {@code address:port}; none if the name does not exist.
     * @throws NamingException if DNS cannot be asked or gives no answer: the caller keeps what it had.
     */
    public static List<Prober.Target> fromDns(String name, int port, InetSocketAddress server) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, server == null ? "dns:" : "dns://" + Addresses.format(server));
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        List<Prober.Target> targets = new ArrayList<>();
        DirContext dns = new InitialDirContext(env);
        try {
            Attributes records;
            try {
                records = dns.getAttributes(name, new String[] {"A", "AAAA"});
            } catch (NameNotFoundException e) {
                return targets; // no such name: no pods
            }
            for (String type : new String[] {"A", "AAAA"}) {
                Attribute values = records.get(type);
                if (values == null) {
                    continue;
                }
                NamingEnumeration<?> all = values.getAll();
                while (all.hasMore()) {
                    InetAddress ip = address(all.next().toString());
                    InetSocketAddress at = new InetSocketAddress(ip, port);
                    targets.add(new Prober.Target(Addresses.format(at), at));
                }
            }
        } finally {
            dns.close();
        }
        return targets;
    }

    private static InetAddress address(String literal) throws NamingException {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new NamingException("not an address in an A or AAAA record: " + literal);
        }
    }
}

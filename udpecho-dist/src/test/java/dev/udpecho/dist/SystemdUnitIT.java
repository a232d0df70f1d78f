package dev.udpecho.dist;

import dev.udpecho.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/systemd/udpecho.service as systemd reads it: {@code systemd-analyze verify} finds nothing to say, and
 * {@code systemd-analyze security} rates it well hardened. The unit points at /opt/udpecho, so it is checked
 * against the distribution archive unpacked elsewhere. Nothing is started.
 */
@Timeout(120)
class SystemdUnitIT {
    private static final String INSTALLED = "/opt/udpecho";

    @Test
    void verifiesCleanlyAndIsHardened(@TempDir Path dir) throws Exception {
        Tools.require("systemd-analyze");
        String unit = Repository.read("deploy/systemd/udpecho.service");
        assertThat(unit).contains("ExecStart=" + INSTALLED + "/bin/udpecho server", "DynamicUser=yes",
                "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "#   AmbientCapabilities=CAP_NET_BIND_SERVICE");
        assertThat(unit).doesNotContainPattern("(?m)^AmbientCapabilities=CAP");

        Path home = Unpacked.unpack(Files.createDirectory(dir.resolve("dist")));
        Path copy = dir.resolve("udpecho.service");
        Files.writeString(copy, unit.replace("=" + INSTALLED + "/", "=" + home + "/"));

        Unpacked.Result verify = Unpacked.run(List.of("systemd-analyze", "verify", "--man=no", copy.toString()),
                Map.of(), 60);
        assertThat(verify.status()).as(verify.output()).isZero();
        assertThat(verify.output()).as("warnings").isEmpty();

        Unpacked.Result security = Unpacked.run(List.of("systemd-analyze", "security", "--offline=yes",
                copy.toString()), Map.of(), 60);
        assertThat(security.status()).as(security.output()).isZero();
        Matcher level = Pattern.compile("Overall exposure level for udpecho\\.service: (\\d+\\.\\d)").matcher(security.output());
        assertThat(level.find()).as(security.output()).isTrue();
        assertThat(Double.parseDouble(level.group(1))).as("exposure, 0 to 10").isLessThanOrEqualTo(2.0);
    }
}

package dev.udpecho.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConvertersTest {

    @Test
    void durationsTakeTheUsualUnits() {
        assertThat(Converters.duration("200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Converters.duration("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Converters.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Converters.duration("2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Converters.duration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Converters.duration("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Converters.duration(" 3 S ")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void badDurationsSayWhatIsExpected() {
        for (String bad : new String[] {"", "ms", "-1s", "1x", "1.s", "1e3"}) {
            assertThatThrownBy(() -> Converters.duration(bad)).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration");
        }
        assertThatThrownBy(() -> new Converters.Timeout().convert("2h")).hasMessage("'2h' is out of range (1ms to 1h)");
    }

    @Test
    void portsHaveTheirRanges() {
        assertThat(new Converters.BindPort().convert("0")).isZero();
        assertThat(new Converters.BindPort().convert("65535")).isEqualTo(65_535);
        assertThatThrownBy(() -> new Converters.PeerPort().convert("0")).hasMessage("'0' is not a port (1-65535)");
        assertThatThrownBy(() -> new Converters.BindPort().convert("99999999999")).hasMessage("'99999999999' is not a port (0-65535)");
    }
}

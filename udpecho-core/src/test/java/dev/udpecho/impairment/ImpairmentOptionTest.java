package dev.udpecho.impairment;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one declaration of each impairment option, read as the command line and the JUnit extension read it. */
class ImpairmentOptionTest {

    @Test
    void everyOptionParsesAsWrittenOnACommandLine() {
        Impairments i = Impairments.parse("loss=5%", "delay=20ms±5ms", "duplicate=0.01", "reorder=2%",
                "corrupt=0.5", "truncate=100%", "seed=42", "max-delayed=7");
        assertThat(i).isEqualTo(Impairments.builder().loss(0.05).delay(Duration.ofMillis(20))
                .jitter(Duration.ofMillis(5)).duplicate(0.01).reorder(0.02).corrupt(0.5).truncate(1).seed(42L)
                .maxDelayed(7).build());
        assertThat(Impairments.parse("delay=1s+-250ms")).isEqualTo(Impairments.parse("delay 1s", "jitter=250ms"));
        assertThat(Impairments.parse()).isEqualTo(Impairments.NONE);
    }

    @Test
    void aBadOptionOrValueIsNamed() {
        assertThatThrownBy(() -> Impairments.parse("lose=5%"))
                .hasMessage("unknown impairment 'lose' (loss, delay, jitter, duplicate, reorder, corrupt, truncate,"
                        + " seed, max-delayed)");
        assertThatThrownBy(() -> Impairments.parse("loss=150%"))
                .hasMessage("loss: '150%' is not a probability (0 to 1, or 0% to 100%)");
        assertThatThrownBy(() -> Impairments.parse("delay=soon"))
                .hasMessage("delay: 'soon' is not a duration (e.g. 200ms, 2s, 1m)");
        assertThatThrownBy(() -> Impairments.parse("seed=x")).hasMessage("seed: 'x' is not a whole number");
        assertThatThrownBy(() -> Impairments.parse("loss")).hasMessageContaining("is not name=value");
        assertThatThrownBy(() -> Impairments.parse("delay=5ms±6ms"))
                .hasMessage("jitter must be 0 to the delay (5ms), not 6ms");
    }

    @Test
    void namesAreUniqueAndEachSaysWhatItDoes() {
        assertThat(Arrays.stream(ImpairmentOption.values()).map(ImpairmentOption::key)).doesNotHaveDuplicates();
        for (ImpairmentOption o : ImpairmentOption.values()) {
            assertThat(ImpairmentOption.named(o.key())).isSameAs(o);
            assertThat(o.description()).endsWith(".");
            assertThat(o.paramLabel()).isNotBlank();
        }
    }
}

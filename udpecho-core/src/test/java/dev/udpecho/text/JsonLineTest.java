package dev.udpecho.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fieldsAndNestedObjectsOnOneLine() {
        StringBuilder line = new StringBuilder();
        new JsonLine(line).string("event", "summary").number("received", 3).bool("ok", true)
                .object("dropped").number("oversize", 1).number("rate-limited", 0).end()
                .number("bytes", -1).end();
        assertThat(line).hasToString("{\"event\":\"summary\",\"received\":3,\"ok\":true,"
                + "\"dropped\":{\"oversize\":1,\"rate-limited\":0},\"bytes\":-1}");
    }

    @Test
    void everyCharacterSurvivesARealParserAndNothingBreaksTheLine() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        all.append("\"}\\\"\\u0041\uD83D\uDE00");
        String text = all.toString();
        StringBuilder line = new StringBuilder();
        new JsonLine(line).string("payload\n\"", text).end();
        assertThat(line.toString()).doesNotContain("\n", "\r", "\u2028", "\u2029");
        assertThat(line.chars()).noneMatch(c -> c < 0x20);
        JsonNode node = JSON.readTree(line.toString());
        assertThat(node.get("payload\n\"").asText()).isEqualTo(text);
    }

    @Test
    void fieldsAfterTheLastObjectIsClosedAreRefused() {
        JsonLine json = new JsonLine(new StringBuilder()).end();
        assertThatThrownBy(() -> json.number("late", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(json::end).isInstanceOf(IllegalStateException.class);
    }
}

package eu.minivoice.gateway.actions;

import com.fasterxml.jackson.databind.JsonNode;
import eu.minivoice.gateway.domain.E164;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the JSON of a webhook answer ({@code {"actions":[…]}}) or of an application's
 * {@code fallback_action} into typed {@link Action}s. Strict on purpose: an unknown type or field
 * is an error rather than ignored, so a typo in a customer's webhook shows up as a clear failure
 * (and the fallback runs) instead of a call silently routed somewhere else. Pure; unit-tested.
 */
public final class ActionParser {
    public static final int MAX_ACTIONS = 20;
    public static final int MAX_FORWARD_TARGETS = 10;
    public static final int MAX_VARIABLES = 50;
    public static final int MAX_VARIABLE_LENGTH = 1024;
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;

    private static final Pattern SIP_URI =
            Pattern.compile("sips?:([^@\\s<>\"]{1,128}@)?[A-Za-z0-9.\\-\\[\\]:]{1,256}(;[^\\s<>\"]{0,256})?");
    private static final Pattern TEL_URI = Pattern.compile("tel:\\+?[0-9][0-9\\-.()]{0,30}(;[^\\s<>\"]{0,128})?");
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,63}");
    private static final Pattern REASON = Pattern.compile("[\\x20-\\x7E]{1,128}");

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "forward", Set.of("type", "to", "timeout"),
            "dial", Set.of("type", "to", "trunk_id", "caller_id", "timeout"),
            "reject", Set.of("type", "status", "reason"),
            "redirect", Set.of("type", "to"),
            "set", Set.of("type", "variables"));

    /** A webhook's answer: an object with exactly an {@code actions} array. */
    public List<Action> parseAnswer(JsonNode root) throws InvalidActionsException {
        if (root == null || !root.isObject()) {
            throw new InvalidActionsException("the answer must be a JSON object {\"actions\":[...]}");
        }
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals("actions")) {
                throw new InvalidActionsException("unknown field '" + n + "' (expected only \"actions\")");
            }
        }
        JsonNode actions = root.get("actions");
        if (actions == null || !actions.isArray()) {
            throw new InvalidActionsException("actions: must be an array");
        }
        return parseList(actions);
    }

    /** A fallback: one action object, an array of them, or the same form as a webhook answer. */
    public List<Action> parseFallback(JsonNode root) throws InvalidActionsException {
        if (root != null && root.isObject() && root.has("actions")) {
            return parseAnswer(root);
        }
        if (root != null && root.isObject()) {
            List<Action> one = new ArrayList<>();
            one.add(parseOne(root, "action"));
            requireRouting(one);
            return List.copyOf(one);
        }
        if (root != null && root.isArray()) {
            return parseList(root);
        }
        throw new InvalidActionsException("must be an action object or an array of actions");
    }

    private List<Action> parseList(JsonNode array) throws InvalidActionsException {
        if (array.isEmpty()) {
            throw new InvalidActionsException("actions: must not be empty");
        }
        if (array.size() > MAX_ACTIONS) {
            throw new InvalidActionsException("actions: at most " + MAX_ACTIONS + " actions");
        }
        List<Action> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(parseOne(array.get(i), "actions[" + i + "]"));
        }
        requireRouting(out);
        return List.copyOf(out);
    }

    private static void requireRouting(List<Action> actions) throws InvalidActionsException {
        if (actions.stream().noneMatch(Action::routes)) {
            throw new InvalidActionsException("actions: no action routes the call (need forward, dial, reject or redirect)");
        }
    }

    private Action parseOne(JsonNode node, String at) throws InvalidActionsException {
        if (node == null || !node.isObject()) {
            throw new InvalidActionsException(at + ": must be an object");
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new InvalidActionsException(at + ".type: is required (forward, dial, reject, redirect or set)");
        }
        String type = typeNode.textValue();
        Set<String> allowed = FIELDS.get(type);
        if (allowed == null) {
            throw new InvalidActionsException(at + ".type: unknown action '" + clip(type) + "'");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw new InvalidActionsException(at + ": unknown field '" + clip(n) + "' for " + type);
            }
        }
        return switch (type) {
            case "forward" -> forward(node, at);
            case "dial" -> dial(node, at);
            case "reject" -> reject(node, at);
            case "redirect" -> redirect(node, at);
            default -> set(node, at);
        };
    }

    private static Action forward(JsonNode node, String at) throws InvalidActionsException {
        JsonNode to = node.get("to");
        List<String> targets = new ArrayList<>();
        if (to != null && to.isTextual()) {
            targets.add(platformUri(to.textValue(), at + ".to"));
        } else if (to != null && to.isArray() && !to.isEmpty() && to.size() <= MAX_FORWARD_TARGETS) {
            for (int i = 0; i < to.size(); i++) {
                JsonNode t = to.get(i);
                if (!t.isTextual()) {
                    throw new InvalidActionsException(at + ".to[" + i + "]: must be a sip: URI");
                }
                targets.add(platformUri(t.textValue(), at + ".to[" + i + "]"));
            }
        } else {
            throw new InvalidActionsException(at + ".to: must be a sip: URI or a list of 1 to "
                    + MAX_FORWARD_TARGETS + " of them");
        }
        return new Action.Forward(targets, timeout(node, at));
    }

    private static Action dial(JsonNode node, String at) throws InvalidActionsException {
        String to = e164(node.get("to"), at + ".to", true);
        String callerId = e164(node.get("caller_id"), at + ".caller_id", false);
        JsonNode trunk = node.get("trunk_id");
        String trunkId = null;
        if (trunk != null && !trunk.isNull()) {
            if (!trunk.isTextual() || trunk.textValue().isEmpty() || trunk.textValue().length() > 80) {
                throw new InvalidActionsException(at + ".trunk_id: must be a trunk id");
            }
            trunkId = trunk.textValue();
        }
        return new Action.Dial(to, trunkId, callerId, timeout(node, at));
    }

    private static Action reject(JsonNode node, String at) throws InvalidActionsException {
        int status = 603;
        JsonNode s = node.get("status");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || s.asInt() < 400 || s.asInt() > 699) {
                throw new InvalidActionsException(at + ".status: must be a SIP final status from 400 to 699");
            }
            status = s.asInt();
        }
        String reason = null;
        JsonNode r = node.get("reason");
        if (r != null && !r.isNull()) {
            if (!r.isTextual() || !REASON.matcher(r.textValue()).matches()) {
                throw new InvalidActionsException(at + ".reason: must be 1 to 128 printable ASCII characters");
            }
            reason = r.textValue();
        }
        return new Action.Reject(status, reason);
    }

    private static Action redirect(JsonNode node, String at) throws InvalidActionsException {
        JsonNode to = node.get("to");
        if (to == null || !to.isTextual()
                || !(SIP_URI.matcher(to.textValue()).matches() || TEL_URI.matcher(to.textValue()).matches())) {
            throw new InvalidActionsException(at + ".to: must be a sip:, sips: or tel: URI");
        }
        return new Action.Redirect(to.textValue());
    }

    private static Action set(JsonNode node, String at) throws InvalidActionsException {
        JsonNode vars = node.get("variables");
        if (vars == null || !vars.isObject()) {
            throw new InvalidActionsException(at + ".variables: must be an object");
        }
        if (vars.size() > MAX_VARIABLES) {
            throw new InvalidActionsException(at + ".variables: at most " + MAX_VARIABLES + " variables");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = vars.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!VARIABLE_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidActionsException(at + ".variables: bad name '" + clip(e.getKey())
                        + "' (letters, digits, _ . -; at most 64)");
            }
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw new InvalidActionsException(at + ".variables." + e.getKey() + ": must be a string, number or boolean");
            }
            String text = v.asText();
            if (text.length() > MAX_VARIABLE_LENGTH) {
                throw new InvalidActionsException(at + ".variables." + e.getKey() + ": at most "
                        + MAX_VARIABLE_LENGTH + " characters");
            }
            out.put(e.getKey(), text);
        }
        return new Action.SetVariables(out);
    }

    private static int timeout(JsonNode node, String at) throws InvalidActionsException {
        JsonNode t = node.get("timeout");
        if (t == null || t.isNull()) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        if (!t.isIntegralNumber() || t.asInt() < 1 || t.asInt() > 600) {
            throw new InvalidActionsException(at + ".timeout: must be 1 to 600 seconds");
        }
        return t.asInt();
    }

    /**
     * A forward target: sent from the platform-side listening points, which have UDP and TCP but
     * no TLS (docs/sip.md) — a {@code sips:} or {@code ;transport=tls} target could never be
     * reached, so it is refused here, where the webhook's author sees why, not at call time.
     */
    private static String platformUri(String text, String at) throws InvalidActionsException {
        if (!SIP_URI.matcher(text).matches()) {
            throw new InvalidActionsException(at + ": must be a sip: URI");
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("sips:") || lower.contains(";transport=tls")) {
            throw new InvalidActionsException(at + ": the platform side has no TLS: use a sip: URI over udp or"
                    + " ;transport=tcp");
        }
        return text;
    }

    private static String e164(JsonNode node, String at, boolean required) throws InvalidActionsException {
        if (node == null || node.isNull()) {
            if (required) {
                throw new InvalidActionsException(at + ": is required (an E.164 number such as +15551230003)");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidActionsException(at + ": must be an E.164 number such as +15551230003");
        }
        return E164.normalise(node.textValue()).orElseThrow(() ->
                new InvalidActionsException(at + ": must be an E.164 number such as +15551230003"));
    }

    /** Echoing attacker-controlled text into error messages and logs: keep it short. */
    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}

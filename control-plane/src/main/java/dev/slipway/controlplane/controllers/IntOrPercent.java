package dev.slipway.controlplane.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;

/** An int-or-percent field (maxSurge, maxUnavailable) scaled against a total, with Kubernetes' rounding. */
final class IntOrPercent {

    private IntOrPercent() {
    }

    static int resolve(IntOrString value, int total, boolean roundUp, String field) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal() == null ? "" : value.getStrVal().trim();
        if (!text.endsWith("%")) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" is neither an integer nor a percentage");
        }
        int percent;
        try {
            percent = Integer.parseInt(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" is not a valid percentage", e);
        }
        long scaled = (long) percent * total;
        return (int) (roundUp ? Math.ceilDiv(scaled, 100) : Math.floorDiv(scaled, 100));
    }
}

package dev.roster.sync;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * How a source's location is shown wherever anyone but its fetch reads it (pages, API JSON, run reasons, mails): a URL
 * keeps its scheme, host, port and path and the names of its query parameters, never their values ("token=…"), its
 * user info or its fragment. The rule holds for sources saved before secrets in the query string were refused at save,
 * and for any value a query carries (docs/security.md). A directory path is shown as it is.
 */
public final class ShownLocation {

    /** What a masked query value is shown as. */
    static final String MASK = "…";

    private ShownLocation() {
    }

    /** The location as shown: a URL without user info, fragment and query values; anything else unchanged. */
    public static String of(String location) {
        if (location == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            return location.contains("://") ? "(a URL Roster cannot read)" : location;
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            return location;
        }
        StringBuilder out = new StringBuilder(base(uri));
        String query = uri.getRawQuery();
        if (query != null) {
            out.append('?');
            String[] pairs = query.split("&", -1);
            for (int i = 0; i < pairs.length; i++) {
                String[] pair = pairs[i].split("=", 2);
                out.append(i > 0 ? "&" : "").append(pair[0]).append(pair.length > 1 ? "=" + MASK : "");
            }
        }
        return out.toString();
    }

    public static String of(URI uri) {
        return of(uri.toString());
    }

    /** scheme://host[:port]/path only: for an address Roster did not choose, such as a redirect's Location. */
    public static String withoutQuery(String address) {
        try {
            URI uri = new URI(address.strip());
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "(a relative address)" : uri.getRawPath();
            }
            return base(uri);
        } catch (URISyntaxException e) {
            return "(an address Roster cannot read)";
        }
    }

    private static String base(URI uri) {
        String host = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority().replaceFirst("^.*@", "");
        return uri.getScheme() + "://" + host + (uri.getHost() != null && uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}

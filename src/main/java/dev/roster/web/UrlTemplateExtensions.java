package dev.roster.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.quarkus.qute.TemplateExtension;

/** Template helpers for building links: {value.urlEncoded} for a query parameter's value. */
@TemplateExtension
public class UrlTemplateExtensions {

    static String urlEncoded(String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package dev.roster.web;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.inject.Singleton;

/**
 * roster.local-mode, in one place: true on the local default (plain http://localhost, dev and test),
 * false in production. Outside local mode cookies are Secure, the CSRF cookie takes the __Host- prefix
 * and every response carries HSTS.
 */
@Singleton
public class LocalMode {

    private final boolean on;

    public LocalMode(@ConfigProperty(name = "roster.local-mode") boolean on) {
        this.on = on;
    }

    /** True on the local default. */
    public boolean on() {
        return on;
    }
}

package dev.roster.directory;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/** roster.demo-data (on in dev, off elsewhere: application.properties) and roster.demo-data.size. */
@ConfigMapping(prefix = "roster.demo-data")
public interface DemoDataSettings {

    /** roster.demo-data itself: seed demo users into an empty directory at start. */
    @WithParentName
    @WithDefault("false")
    boolean enabled();

    /** roster.demo-data.size: how many. */
    @WithDefault("1000")
    int size();
}

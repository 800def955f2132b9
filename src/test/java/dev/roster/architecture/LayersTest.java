package dev.roster.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md ("Layers"), checked on the compiled main classes: plain JUnit, no
 * Quarkus boot. A new top-level package must be placed in a layer here and in the document.
 */
class LayersTest {

    static final String[] CORE = { "dev.roster.csv..", "dev.roster.plan.." };
    static final String[] BASE = { "dev.roster.sql..", "dev.roster.background..", "dev.roster.credentials..",
            "dev.roster.web.." };
    static final String[] AUDIT_TRAIL = { "dev.roster.audit.." };
    static final String[] ACCESS = { "dev.roster.access.." };
    static final String[] BASE_FEATURES = { "dev.roster.directory..", "dev.roster.mail..", "dev.roster.token..",
            "dev.roster.auditlog.." };
    /** Features that use base features: groups and reset links build on directory users, mapping may read groups. */
    static final String[] FEATURES = { "dev.roster.group..", "dev.roster.reset..", "dev.roster.mapping.." };
    static final String[] BATCH = { "dev.roster.batch.." };
    static final String[] INTEGRATIONS = { "dev.roster.scim..", "dev.roster.sync..", "dev.roster.ldap.." };

    /** Top-level packages (batch/ with its sub-packages as one) import one way. */
    static final ArchRule TOP_LEVEL_PACKAGES_ARE_FREE_OF_CYCLES = slices().matching("dev.roster.(*)..")
            .namingSlices("$1").should().beFreeOfCycles();

    /** Every package on its own, so batch, batch.state, batch.planning and batch.apply import one way too. */
    static final ArchRule PACKAGES_ARE_FREE_OF_CYCLES = slices().matching("dev.roster.(**)")
            .namingSlices("$1").should().beFreeOfCycles();

    /** csv/ and plan/ decide what a file means: plain Java (and opencsv), nothing of Roster above them. */
    static final ArchRule CORE_IS_PLAIN_JAVA = classes().that().resideInAnyPackage(CORE)
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.roster.csv..", "dev.roster.plan..",
                    "com.opencsv..")
            .because("the pure core is unit-tested without Quarkus or a database (docs/architecture.md)");

    static final ArchRule CORE_USES_NO_FRAMEWORK_OR_JDBC = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax..", "org.hibernate..",
                    "java.sql..", "io.vertx..", "io.smallrye..", "io.agroal..", "org.jboss..", "com.fasterxml..")
            .because("the pure core is unit-tested without Quarkus or a database (docs/architecture.md)");

    /** Each layer uses only the layers below it (and its own); see the table in docs/architecture.md. */
    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("Core").definedBy(CORE)
            .layer("Base").definedBy(BASE)
            .layer("Audit trail").definedBy(AUDIT_TRAIL)
            .layer("Access").definedBy(ACCESS)
            .layer("Base features").definedBy(BASE_FEATURES)
            .layer("Features").definedBy(FEATURES)
            .layer("Batch").definedBy(BATCH)
            .layer("Integrations").definedBy(INTEGRATIONS)
            .whereLayer("Core").mayNotAccessAnyLayer()
            .whereLayer("Base").mayNotAccessAnyLayer()
            .whereLayer("Audit trail").mayOnlyAccessLayers("Core", "Base")
            .whereLayer("Access").mayOnlyAccessLayers("Core", "Base", "Audit trail")
            .whereLayer("Base features").mayOnlyAccessLayers("Core", "Base", "Audit trail", "Access")
            .whereLayer("Features").mayOnlyAccessLayers("Core", "Base", "Audit trail", "Access", "Base features")
            .whereLayer("Batch").mayOnlyAccessLayers("Core", "Base", "Audit trail", "Access", "Base features",
                    "Features")
            .whereLayer("Integrations").mayOnlyAccessLayers("Core", "Base", "Audit trail", "Access", "Base features",
                    "Features", "Batch");

    /** Inside batch/: the batch's record and state machine at the bottom, planning below the apply, pages on top. */
    static final ArchRule BATCH_LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("Batch state").definedBy("dev.roster.batch.state..")
            .layer("Planning").definedBy("dev.roster.batch.planning..")
            .layer("Apply").definedBy("dev.roster.batch.apply..")
            .layer("Batch pages and services").definedBy("dev.roster.batch")
            .whereLayer("Batch state").mayNotAccessAnyLayer()
            .whereLayer("Planning").mayOnlyAccessLayers("Batch state")
            .whereLayer("Apply").mayOnlyAccessLayers("Batch state", "Planning")
            .whereLayer("Batch pages and services").mayOnlyAccessLayers("Batch state", "Planning", "Apply");

    /** A package nobody placed is a package nobody checks. */
    static final ArchRule EVERY_PACKAGE_HAS_A_LAYER = classes().that().resideInAPackage("dev.roster..")
            .should().resideInAnyPackage(all())
            .because("a new package is placed in a layer in LayersTest and docs/architecture.md");

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.roster");
    }

    @Test
    void topLevelPackagesAreFreeOfCycles() {
        TOP_LEVEL_PACKAGES_ARE_FREE_OF_CYCLES.check(main);
    }

    @Test
    void packagesAreFreeOfCycles() {
        PACKAGES_ARE_FREE_OF_CYCLES.check(main);
    }

    @Test
    void coreIsPlainJava() {
        CORE_IS_PLAIN_JAVA.check(main);
    }

    @Test
    void coreUsesNoFrameworkOrJdbc() {
        CORE_USES_NO_FRAMEWORK_OR_JDBC.check(main);
    }

    @Test
    void layers() {
        LAYERS.check(main);
    }

    @Test
    void batchLayers() {
        BATCH_LAYERS.check(main);
    }

    @Test
    void everyPackageHasALayer() {
        EVERY_PACKAGE_HAS_A_LAYER.check(main);
    }

    private static String[] all() {
        return java.util.stream.Stream.of(CORE, BASE, AUDIT_TRAIL, ACCESS, BASE_FEATURES, FEATURES, BATCH,
                INTEGRATIONS).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}

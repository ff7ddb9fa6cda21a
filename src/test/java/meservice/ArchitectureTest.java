package meservice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTag;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules, checked on the compiled classes (production and dev, not tests).
 *
 * <ul>
 *   <li>Kernel: {@code config}, {@code crypto}, {@code db}, {@code http}, {@code identity} (who is
 *       calling, why a credential was refused, the service's ids), {@code logging}, {@code resources}
 *       and {@code ops} (metrics registry, access log, health, docs, tracing: what every feature
 *       reports into). The kernel depends on no feature and on no composition code.
 *   <li>Features: {@code auth}, {@code apikey}, {@code me}. A feature may use the kernel and may
 *       compose another feature ({@code auth}'s handler uses {@code apikey}'s verifier), never the
 *       other way round, and never the composition code.
 *   <li>Composition: the root package ({@code App}, {@code Main}, {@code ApiRouter}, {@code ApiVerticle}),
 *       {@code cli} (commands over the features' repositories) and {@code dev} (the dev jar's
 *       additions). They wire everything together; nothing else depends on them.
 * </ul>
 *
 * <p>No two packages depend on each other, directly or through others.
 */
@ArchTag("unit")
@AnalyzeClasses(packages = "meservice", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule packagesHaveNoCycles = slices().matching("meservice.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule kernelDependsOnNoFeature = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("Kernel").definedBy("meservice.config..", "meservice.crypto..", "meservice.db..", "meservice.http..",
          "meservice.identity..", "meservice.logging..", "meservice.resources..", "meservice.ops..")
      .layer("Features").definedBy("meservice.auth..", "meservice.apikey..", "meservice.me..")
      .layer("Composition").definedBy("meservice", "meservice.cli..", "meservice.dev..")
      .whereLayer("Features").mayOnlyBeAccessedByLayers("Composition")
      .whereLayer("Composition").mayNotBeAccessedByAnyLayer();

  @ArchTest
  static final ArchRule apiKeysDoNotDependOnAuth = noClasses()
      .that().resideInAPackage("meservice.apikey..")
      .should().dependOnClassesThat().resideInAPackage("meservice.auth..")
      .because("auth composes apikey's verifier; both share only meservice.identity");
}

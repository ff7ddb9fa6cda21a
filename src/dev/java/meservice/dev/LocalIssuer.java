package meservice.dev;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.Set;

/**
 * A stand-in for Clerk in {@code dev} (and in tests and benchmarks): an RSA key pair that signs
 * RS256 session tokens. Never used by {@code serve}.
 */
public final class LocalIssuer {

  public static final String ISSUER = "https://clerk.me-service.localhost";
  public static final String AUTHORIZED_PARTY = "http://localhost:3000";

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final KeyPair keys;
  private final String kid;

  public LocalIssuer(KeyPair keys, String kid) {
    this.keys = keys;
    this.kid = kid;
  }

  public static LocalIssuer generate(String kid) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new LocalIssuer(generator.generateKeyPair(), kid);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Keeps the key under {@code file} so tokens printed by one run stay valid in the next. The file
   * is the private key: readable by its owner only (0600), also when an older run left it wider.
   */
  public static LocalIssuer loadOrCreate(Path file) throws Exception {
    if (Files.exists(file)) {
      ownerOnly(file);
      byte[] der = Base64.getMimeDecoder().decode(Files.readString(file));
      KeyFactory factory = KeyFactory.getInstance("RSA");
      PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(der));
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
      PublicKey publicKey = factory.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
      return new LocalIssuer(new KeyPair(publicKey, privateKey), "dev");
    }
    LocalIssuer issuer = generate("dev");
    Files.createDirectories(file.getParent());
    if (posix(file)) {
      // Created 0600, so the key is never readable by others, not even for a moment.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    Files.writeString(file, Base64.getMimeEncoder().encodeToString(issuer.keys.getPrivate().getEncoded()));
    return issuer;
  }

  private static void ownerOnly(Path file) throws IOException {
    if (posix(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }

  private static boolean posix(Path file) {
    return file.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  public String kid() {
    return kid;
  }

  public KeyPair keyPair() {
    return keys;
  }

  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** This key as a JWKS {@code keys} entry. */
  public JsonObject jwk() {
    RSAPublicKey publicKey = (RSAPublicKey) keys.getPublic();
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    return new JsonObject()
        .put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", kid)
        .put("n", url.encodeToString(unsigned(publicKey.getModulus().toByteArray())))
        .put("e", url.encodeToString(unsigned(publicKey.getPublicExponent().toByteArray())));
  }

  /** A session token like Clerk's for {@code sub}, valid for {@code ttlSeconds}. */
  public String sessionToken(String sub, String orgId, String orgRole, long ttlSeconds) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject()
        .put("iss", ISSUER).put("azp", AUTHORIZED_PARTY)
        .put("sub", sub).put("sid", "sess_" + sub)
        .put("iat", now).put("nbf", now - 5).put("exp", now + ttlSeconds);
    if (orgId != null) {
      claims.put("org_id", orgId).put("org_role", orgRole);
    }
    return sign(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid), claims);
  }

  /** Signs whatever header and claims it is given: tests use it to build hostile tokens too. */
  public String sign(JsonObject header, JsonObject claims) {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String signingInput = url.encodeToString(header.toBuffer().getBytes()) + "." + url.encodeToString(claims.toBuffer().getBytes());
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(keys.getPrivate());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + url.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(byte[] bytes) {
    return bytes.length > 1 && bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}

package eu.minivoice.gateway.sip;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Known answers from the RFCs. */
class DigestAnswerTest {
    @Test
    void rfc2617Md5WithQopAuth() {
        DigestChallenge c = new DigestChallenge("testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                "5ccc069c403ebaf9f0171e9517f40e41", null, List.of("auth", "auth-int"), false, false);
        DigestAnswer a = DigestAnswer.compute(c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", null, "0a4f113b", 1);
        assertEquals("6629fae49393a05397450978507c4ef1", a.response());
        assertTrue(a.headerValue().contains("nc=00000001"));
        assertTrue(a.headerValue().contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }

    @Test
    void rfc7616Sha256AndMd5() {
        String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        DigestChallenge sha = new DigestChallenge("http-auth@example.org", nonce, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
                "SHA-256", List.of("auth"), false, false);
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
                DigestAnswer.compute(sha, "Mufasa", "Circle of Life", "GET", "/dir/index.html", null, cnonce, 1).response());
        DigestChallenge md5 = new DigestChallenge("http-auth@example.org", nonce, null, "MD5", List.of("auth"), false, false);
        assertEquals("8ca523f5e9506fed4657c9700eebdbec",
                DigestAnswer.compute(md5, "Mufasa", "Circle of Life", "GET", "/dir/index.html", null, cnonce, 1).response());
    }

    @Test
    void withoutQopTheResponseUsesNeitherCnonceNorNc() {
        // RFC 2069 compatibility form, still common on SIP registrars.
        DigestChallenge c = new DigestChallenge("asterisk", "41d8e7d5", null, null, List.of(), false, false);
        DigestAnswer a = DigestAnswer.compute(c, "1001", "pw", "REGISTER", "sip:pbx.example", null, "cn", 1);
        assertNull(a.qop());
        assertNull(a.cnonce());
        // MD5(MD5("1001:asterisk:pw") + ":41d8e7d5:" + MD5("REGISTER:sip:pbx.example"))
        assertEquals(md5(md5("1001:asterisk:pw") + ":41d8e7d5:" + md5("REGISTER:sip:pbx.example")), a.response());
    }

    @Test
    void md5SessHashesTheNonceIntoHa1() {
        DigestChallenge c = new DigestChallenge("r", "n", null, "MD5-sess", List.of("auth"), false, false);
        DigestAnswer a = DigestAnswer.compute(c, "u", "p", "REGISTER", "sip:x", null, "c", 2);
        String ha1 = md5(md5("u:r:p") + ":n:c");
        assertEquals(md5(ha1 + ":n:00000002:c:auth:" + md5("REGISTER:sip:x")), a.response());
    }

    @Test
    void strongestPrefersSha256AndSkipsUnsupported() {
        DigestChallenge md5 = new DigestChallenge("r", "n1", null, "MD5", List.of("auth"), false, false);
        DigestChallenge sha = new DigestChallenge("r", "n2", null, "SHA-256", List.of("auth"), false, false);
        DigestChallenge weird = new DigestChallenge("r", "n3", null, "SHA-512-256", List.of("auth"), false, false);
        assertEquals(sha, DigestChallenge.strongest(List.of(md5, weird, sha)));
        assertEquals(md5, DigestChallenge.strongest(List.of(weird, md5)));
        assertNull(DigestChallenge.strongest(List.of(weird)));
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

/* test-account-autoconfig-xml.c: reading autoconfig documents (config-v1.1.xml), offline
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "account/heron-account.h"
#include "account/heron-autoconfig-private.h"

#define ADDRESS "Alice.Smith@Example.TEST"

static gboolean
parse (const char               *xml,
       HeronAutoconfigDocument  *document,
       GError                  **error)
{
  return _heron_autoconfig_parse_document (xml, strlen (xml), ADDRESS, document, error);
}

static void
test_full_document (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.test\">\n"
    "    <domain>example.test</domain>\n"
    "    <displayName>Example Mail</displayName>\n"
    "    <incomingServer type=\"pop3\">\n"
    "      <hostname>pop.example.test</hostname><port>995</port><socketType>SSL</socketType>\n"
    "    </incomingServer>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap.%EMAILDOMAIN%</hostname>\n"
    "      <port>993</port>\n"
    "      <socketType>SSL</socketType>\n"
    "      <username>%EMAILADDRESS%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </incomingServer>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap2.example.test</hostname><socketType>STARTTLS</socketType>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname> smtp.example.test </hostname>\n"
    "      <port>587</port>\n"
    "      <socketType>STARTTLS</socketType>\n"
    "      <username>%EMAILLOCALPART%</username>\n"
    "      <authentication>OAuth2</authentication>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "      <futureElement>ignored</futureElement>\n"
    "    </outgoingServer>\n"
    "  </emailProvider>\n"
    "  <webMail/>\n"
    "</clientConfig>\n";
  HeronAutoconfigDocument document = { NULL, };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse (xml, &document, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (document.provider_name, ==, "Example Mail");
  g_assert_nonnull (document.imap);
  g_assert_cmpstr (heron_account_server_get_host (document.imap), ==, "imap.example.test");
  g_assert_cmpuint (heron_account_server_get_port (document.imap), ==, 993);
  g_assert_cmpint (heron_account_server_get_security (document.imap), ==, HERON_ACCOUNT_SECURITY_TLS);
  g_assert_cmpint (heron_account_server_get_auth (document.imap), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  g_assert_cmpstr (heron_account_server_get_user (document.imap), ==, ADDRESS);

  g_assert_nonnull (document.smtp);
  g_assert_cmpstr (heron_account_server_get_host (document.smtp), ==, "smtp.example.test");
  g_assert_cmpuint (heron_account_server_get_port (document.smtp), ==, 587);
  g_assert_cmpint (heron_account_server_get_security (document.smtp), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (heron_account_server_get_auth (document.smtp), ==, HERON_ACCOUNT_AUTH_XOAUTH2);
  g_assert_cmpstr (heron_account_server_get_user (document.smtp), ==, "Alice.Smith");

  g_assert_cmpuint (document.notes->len, ==, 0);
  _heron_autoconfig_document_clear (&document);
}

/* Unusable servers are skipped with a reason, and the next usable one is taken. */
static void
test_skips_unusable (void)
{
  static const char xml[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"example.test\">"
    "<incomingServer type=\"imap\"><hostname>plain.example.test</hostname>"
    "  <socketType>plain</socketType><port>143</port></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>ntlm.example.test</hostname>"
    "  <socketType>SSL</socketType><authentication>NTLM</authentication>"
    "  <authentication>GSSAPI</authentication></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>port.example.test</hostname><port>99999</port></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>odd.example.test</hostname><socketType>SSH</socketType></incomingServer>"
    "<incomingServer type=\"imap\"><port>993</port></incomingServer>"
    "<incomingServer type=\"imap\"><hostname>good.example.test</hostname>"
    "  <socketType>STARTTLS</socketType><authentication>password-encrypted</authentication></incomingServer>"
    "<outgoingServer type=\"smtp\"><hostname>localhost</hostname><socketType>plain</socketType>"
    "  <port>2525</port><authentication>none</authentication><authentication>plain</authentication></outgoingServer>"
    "</emailProvider></clientConfig>";
  HeronAutoconfigDocument document = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;

  g_assert_true (parse (xml, &document, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (heron_account_server_get_host (document.imap), ==, "good.example.test");
  g_assert_cmpint (heron_account_server_get_security (document.imap), ==, HERON_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpuint (heron_account_server_get_port (document.imap), ==, 0);
  g_assert_cmpuint (heron_account_server_get_effective_port (document.imap), ==, 143);
  g_assert_cmpint (heron_account_server_get_auth (document.imap), ==, HERON_ACCOUNT_AUTH_PASSWORD);
  /* No <username>: the address. */
  g_assert_cmpstr (heron_account_server_get_user (document.imap), ==, ADDRESS);

  /* Plain text is never taken from a document, not even for a loopback host: that is the
   * person's choice (DESIGN.md), and a document from the network must not make it. */
  g_assert_null (document.smtp);

  g_assert_cmpuint (document.notes->len, ==, 6);
  g_ptr_array_add (document.notes, NULL);
  notes = g_strjoinv ("\n", (char **) document.notes->pdata);
  g_assert_nonnull (strstr (notes, "plain.example.test was skipped: it is offered without encryption"));
  g_assert_nonnull (strstr (notes, "localhost was skipped: it is offered without encryption"));
  g_assert_nonnull (strstr (notes, "ntlm.example.test was skipped: it only offers authentication Heron does not support (NTLM, GSSAPI)"));
  g_assert_nonnull (strstr (notes, "“99999” is not a port"));
  g_assert_nonnull (strstr (notes, "unknown socketType “SSH”"));
  g_assert_nonnull (strstr (notes, "without a host name"));
  _heron_autoconfig_document_clear (&document);
}

static void
test_malformed (void)
{
  static const struct {
    const char *xml;
    const char *message_part;
  } cases[] = {
    { "<clientConfig><emailProvider>", "not well-formed XML (line 1" },
    { "this is not XML at all", "not well-formed XML" },
    { "<html><body>404</body></html>", "not an autoconfig document" },
    { "<clientConfig version=\"1.1\"></clientConfig>", "no <emailProvider>" },
    { "<!DOCTYPE clientConfig [<!ENTITY a \"aaaaaaaaaa\">]><clientConfig><emailProvider>"
      "<incomingServer type=\"imap\"><hostname>&a;.test</hostname></incomingServer>"
      "</emailProvider></clientConfig>", "DOCTYPE" },
    { "<clientConfig><emailProvider><incomingServer type=\"pop3\"><hostname>pop.example.test"
      "</hostname></incomingServer></emailProvider></clientConfig>", "offers no IMAP or SMTP server" },
    { "<clientConfig><emailProvider><incomingServer type=\"imap\"><hostname>x.example.test</hostname>"
      "<socketType>plain</socketType></incomingServer></emailProvider></clientConfig>",
      "offers no IMAP or SMTP server Heron can use: The IMAP server x.example.test was skipped" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HeronAutoconfigDocument document = { NULL, };
      g_autoptr(GError) error = NULL;

      g_assert_false (parse (cases[i].xml, &document, &error));
      g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %u: “%s” does not contain “%s”", i, error->message, cases[i].message_part);
      g_assert_null (document.imap);
      g_assert_null (document.smtp);
    }
}

static void
test_expand (void)
{
  g_autofree char *url = NULL;
  g_autofree char *text = NULL;

  url = _heron_autoconfig_expand (HERON_AUTOCONFIG_URL_SUBDOMAIN, "a+b@Example.TEST", TRUE);
  g_assert_cmpstr (url, ==,
                   "https://autoconfig.example.test/mail/config-v1.1.xml?emailaddress=a%2Bb%40Example.TEST");
  g_clear_pointer (&url, g_free);
  url = _heron_autoconfig_expand (HERON_AUTOCONFIG_URL_WELL_KNOWN, "zoë@bücher.test", TRUE);
  g_assert_cmpstr (url, ==,
                   "https://xn--bcher-kva.test/.well-known/autoconfig/mail/config-v1.1.xml"
                   "?emailaddress=zo%C3%AB%40b%C3%BCcher.test");

  text = _heron_autoconfig_expand ("%EMAILLOCALPART%|%emaildomain%|%EMAILADDRESS%|%OTHER%",
                                   "alice@example.test", FALSE);
  g_assert_cmpstr (text, ==, "alice|example.test|alice@example.test|%OTHER%");
}

static void
test_split_address (void)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (_heron_autoconfig_split_address ("Bob@Mail.Example.TEST", &local, &domain, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (local, ==, "Bob");
  g_assert_cmpstr (domain, ==, "mail.example.test");

  g_assert_false (_heron_autoconfig_split_address ("no-at-sign", NULL, NULL, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS);
  g_clear_error (&error);
  g_assert_false (_heron_autoconfig_split_address ("a@bad_domain!", NULL, NULL, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS);
  g_clear_error (&error);
  /* A single-label domain is allowed (an intranet, or localhost in tests). */
  g_assert_true (_heron_autoconfig_split_address ("a@localhost", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (_heron_autoconfig_split_address ("a@127.0.0.1", NULL, NULL, &error));
  g_assert_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/account/autoconfig-xml/full-document", test_full_document);
  g_test_add_func ("/heron/account/autoconfig-xml/skips-unusable", test_skips_unusable);
  g_test_add_func ("/heron/account/autoconfig-xml/malformed", test_malformed);
  g_test_add_func ("/heron/account/autoconfig-xml/expand", test_expand);
  g_test_add_func ("/heron/account/autoconfig-xml/split-address", test_split_address);

  return g_test_run ();
}

/* heron-autoconfig-xml.c: reading a Mozilla autoconfig document (config-v1.1.xml)
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The document, as providers publish it and Thunderbird reads it:
 *
 *   <clientConfig version="1.1">
 *     <emailProvider id="example.com">
 *       <domain>example.com</domain>
 *       <displayName>Example Mail</displayName>
 *       <incomingServer type="imap">           (also pop3, exchange, ...: we want imap)
 *         <hostname>imap.example.com</hostname>
 *         <port>993</port>
 *         <socketType>SSL</socketType>         (SSL = implicit TLS, STARTTLS, plain)
 *         <username>%EMAILADDRESS%</username>  (or %EMAILLOCALPART%, or a fixed name)
 *         <authentication>password-cleartext</authentication>   (one or more, preferred first)
 *       </incomingServer>
 *       <outgoingServer type="smtp"> … </outgoingServer>
 *     </emailProvider>
 *   </clientConfig>
 *
 * Servers are listed in the provider's order of preference; we take the first of each kind that
 * Heron can use, and note why any earlier one was skipped. Unknown elements are ignored, so newer
 * documents still read. The text comes from the network: no DTD, no entities, no network access
 * from the parser, and a size bound enforced by the caller.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "heron-account-error.h"
#include "heron-account-identity.h"
#include "heron-account-server.h"
#include "heron-autoconfig-private.h"

gboolean
_heron_autoconfig_split_address (const char  *address,
                                 char       **out_local_part,
                                 char       **out_domain,
                                 GError     **error)
{
  g_autofree char *domain = NULL;
  g_autofree char *ascii = NULL;
  const char *at;

  if (!heron_account_address_is_valid (address))
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS,
                   _("“%s” is not an e-mail address"), address != NULL ? address : "");
      return FALSE;
    }

  at = strrchr (address, '@');
  domain = g_utf8_strdown (at + 1, -1);
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || g_hostname_is_ip_address (ascii) || !heron_account_host_is_valid (ascii))
    {
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS,
                   _("The domain of “%s” is not one whose mail servers can be looked up"),
                   address);
      return FALSE;
    }

  if (out_local_part != NULL)
    *out_local_part = g_strndup (address, at - address);
  if (out_domain != NULL)
    *out_domain = g_ascii_strdown (ascii, -1);
  return TRUE;
}

char *
_heron_autoconfig_expand (const char *text,
                          const char *address,
                          gboolean    escape_for_uri)
{
  g_autofree char *local_part = NULL;
  g_autofree char *domain = NULL;
  struct {
    const char *placeholder;
    const char *value;
  } values[3];
  GString *expanded;

  if (!_heron_autoconfig_split_address (address, &local_part, &domain, NULL))
    return g_strdup (text);

  values[0].placeholder = "%EMAILADDRESS%";
  values[0].value = address;
  values[1].placeholder = "%EMAILLOCALPART%";
  values[1].value = local_part;
  values[2].placeholder = "%EMAILDOMAIN%";
  values[2].value = domain;

  expanded = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; )
    {
      gboolean replaced = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (values) && !replaced; i++)
        {
          gsize length = strlen (values[i].placeholder);

          if (g_ascii_strncasecmp (p, values[i].placeholder, length) == 0)
            {
              if (escape_for_uri)
                g_string_append_uri_escaped (expanded, values[i].value, NULL, FALSE);
              else
                g_string_append (expanded, values[i].value);
              p += length;
              replaced = TRUE;
            }
        }
      if (!replaced)
        g_string_append_c (expanded, *p++);
    }

  return g_string_free (expanded, FALSE);
}

void
_heron_autoconfig_document_clear (HeronAutoconfigDocument *document)
{
  g_clear_pointer (&document->provider_name, g_free);
  g_clear_object (&document->imap);
  g_clear_object (&document->smtp);
  g_clear_pointer (&document->notes, g_ptr_array_unref);
}

static gboolean
is_element (xmlNode    *node,
            const char *name)
{
  return node->type == XML_ELEMENT_NODE && xmlStrcmp (node->name, (const xmlChar *) name) == 0;
}

/* The element's text, trimmed, or NULL when empty. */
static char *
element_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *text;

  if (content == NULL)
    return NULL;
  text = g_strstrip (g_strdup ((const char *) content));
  xmlFree (content);
  if (text[0] == '\0' || !g_utf8_validate (text, -1, NULL))
    g_clear_pointer (&text, g_free);
  return text;
}

static char *
child_text (xmlNode    *parent,
            const char *name)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (is_element (child, name))
      return element_text (child);
  return NULL;
}

/* The first <authentication> Heron supports; FALSE if there are some and none is usable. With
 * none at all the provider says nothing and a password is the common case. */
static gboolean
choose_auth (xmlNode          *server_node,
             HeronAccountAuth *out_auth,
             GString          *unsupported)
{
  gboolean any = FALSE;

  for (xmlNode *child = server_node->children; child != NULL; child = child->next)
    {
      g_autofree char *method = NULL;

      if (!is_element (child, "authentication"))
        continue;
      method = element_text (child);
      if (method == NULL)
        continue;
      any = TRUE;

      /* password-cleartext (and its old name "plain") is a password over PLAIN or LOGIN, safe
       * inside TLS; password-encrypted (old: "secure") is CRAM-MD5 and the like: still a
       * password to the account, the engine negotiates the mechanism. */
      if (g_ascii_strcasecmp (method, "password-cleartext") == 0
          || g_ascii_strcasecmp (method, "plain") == 0
          || g_ascii_strcasecmp (method, "password-encrypted") == 0
          || g_ascii_strcasecmp (method, "secure") == 0)
        {
          *out_auth = HERON_ACCOUNT_AUTH_PASSWORD;
          return TRUE;
        }
      if (g_ascii_strcasecmp (method, "OAuth2") == 0)
        {
          *out_auth = HERON_ACCOUNT_AUTH_XOAUTH2;
          return TRUE;
        }

      /* NTLM, GSSAPI, client-IP-address, TLS-client-cert, none: not (yet) for Heron. */
      if (unsupported->len > 0)
        g_string_append (unsupported, ", ");
      g_string_append (unsupported, method);
    }

  if (!any)
    {
      *out_auth = HERON_ACCOUNT_AUTH_PASSWORD;
      return TRUE;
    }
  return FALSE;
}

/* A server element as a HeronAccountServer, or NULL with a note saying why it is unusable. */
static HeronAccountServer *
read_server (xmlNode               *node,
             HeronAccountProtocol   protocol,
             const char            *address,
             char                 **out_note)
{
  g_autoptr(HeronAccountServer) server = heron_account_server_new (protocol);
  g_autoptr(GString) unsupported = g_string_new (NULL);
  g_autofree char *raw_host = child_text (node, "hostname");
  g_autofree char *port_text = child_text (node, "port");
  g_autofree char *socket_type = child_text (node, "socketType");
  g_autofree char *raw_user = child_text (node, "username");
  g_autofree char *host = NULL;
  const char *kind = protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? "SMTP" : "IMAP";
  HeronAccountSecurity security;
  HeronAccountAuth auth;
  guint64 port = 0;

  if (raw_host == NULL)
    {
      *out_note = g_strdup_printf (_("An %s server without a host name was skipped"), kind);
      return NULL;
    }
  host = _heron_autoconfig_expand (raw_host, address, FALSE);
  if (!heron_account_host_is_valid (host))
    {
      *out_note = g_strdup_printf (_("The %s server “%s” was skipped: not a host name"), kind, host);
      return NULL;
    }

  if (socket_type == NULL || g_ascii_strcasecmp (socket_type, "SSL") == 0
      || g_ascii_strcasecmp (socket_type, "TLS") == 0)
    security = HERON_ACCOUNT_SECURITY_TLS;
  else if (g_ascii_strcasecmp (socket_type, "STARTTLS") == 0)
    security = HERON_ACCOUNT_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (socket_type, "plain") == 0)
    {
      /* Plain text is something the person chooses for a loopback server, never something a
       * document from the network may switch on (DESIGN.md, security rules). */
      *out_note = g_strdup_printf (_("The %s server %s was skipped: it is offered without "
                                     "encryption"), kind, host);
      return NULL;
    }
  else
    {
      *out_note = g_strdup_printf (_("The %s server %s was skipped: unknown socketType “%s”"),
                                   kind, host, socket_type);
      return NULL;
    }

  if (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &port, NULL))
    {
      *out_note = g_strdup_printf (_("The %s server %s was skipped: “%s” is not a port"),
                                   kind, host, port_text);
      return NULL;
    }

  if (!choose_auth (node, &auth, unsupported))
    {
      *out_note = g_strdup_printf (_("The %s server %s was skipped: it only offers "
                                     "authentication Heron does not support (%s)"),
                                   kind, host, unsupported->str);
      return NULL;
    }

  heron_account_server_set_host (server, host);
  heron_account_server_set_security (server, security);
  heron_account_server_set_port (server, (guint) port);
  heron_account_server_set_auth (server, auth);
  if (raw_user != NULL)
    {
      g_autofree char *user = _heron_autoconfig_expand (raw_user, address, FALSE);

      heron_account_server_set_user (server, user);
    }
  else
    heron_account_server_set_user (server, address);

  return g_steal_pointer (&server);
}

gboolean
_heron_autoconfig_parse_document (const char               *data,
                                  gsize                     length,
                                  const char               *address,
                                  HeronAutoconfigDocument  *out_document,
                                  GError                  **error)
{
  xmlParserCtxtPtr context;
  xmlDocPtr doc;
  xmlNode *root;
  xmlNode *provider = NULL;
  HeronAutoconfigDocument document = { NULL, };
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (out_document != NULL, FALSE);

  if (length > G_MAXINT)
    {
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                           _("The document is too large"));
      return FALSE;
    }

  context = xmlNewParserCtxt ();
  if (context == NULL)
    g_error ("libxml2 could not allocate a parser");

  doc = xmlCtxtReadMemory (context, data, (int) length, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      xmlErrorPtr xml_error = xmlCtxtGetLastError (context);
      g_autofree char *message = g_strstrip (g_strdup (xml_error != NULL && xml_error->message != NULL
                                                       ? xml_error->message : "?"));

      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                   _("The document is not well-formed XML (line %d: %s)"),
                   xml_error != NULL ? xml_error->line : 0, message);
      goto out;
    }

  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                           _("The document has a DOCTYPE, which autoconfig documents never have"));
      goto out;
    }

  root = xmlDocGetRootElement (doc);
  if (root == NULL || !is_element (root, "clientConfig"))
    {
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                           _("The document is XML but not an autoconfig document (its root is "
                             "not <clientConfig>)"));
      goto out;
    }

  for (xmlNode *child = root->children; child != NULL && provider == NULL; child = child->next)
    if (is_element (child, "emailProvider"))
      provider = child;
  if (provider == NULL)
    {
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                           _("The autoconfig document has no <emailProvider>"));
      goto out;
    }

  document.notes = g_ptr_array_new_with_free_func (g_free);
  document.provider_name = child_text (provider, "displayName");

  for (xmlNode *child = provider->children; child != NULL; child = child->next)
    {
      g_autofree xmlChar *type = NULL;
      HeronAccountProtocol protocol;
      HeronAccountServer **slot;
      char *note = NULL;

      if (is_element (child, "incomingServer"))
        protocol = HERON_ACCOUNT_PROTOCOL_IMAP;
      else if (is_element (child, "outgoingServer"))
        protocol = HERON_ACCOUNT_PROTOCOL_SMTP;
      else
        continue;

      type = xmlGetProp (child, (const xmlChar *) "type");
      if (type == NULL
          || g_ascii_strcasecmp ((const char *) type,
                                 protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? "smtp" : "imap") != 0)
        continue;

      slot = protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? &document.smtp : &document.imap;
      if (*slot != NULL)
        continue;

      *slot = read_server (child, protocol, address, &note);
      if (note != NULL)
        g_ptr_array_add (document.notes, note);
    }

  if (document.imap == NULL && document.smtp == NULL)
    {
      g_autofree char *why = NULL;

      if (document.notes->len > 0)
        {
          g_ptr_array_add (document.notes, NULL);
          why = g_strjoinv ("; ", (char **) document.notes->pdata);
        }
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTOCONFIG_MALFORMED,
                   _("The autoconfig document offers no IMAP or SMTP server Heron can use%s%s"),
                   why != NULL ? ": " : "", why != NULL ? why : "");
      _heron_autoconfig_document_clear (&document);
      goto out;
    }

  *out_document = document;
  ok = TRUE;

out:
  if (doc != NULL)
    xmlFreeDoc (doc);
  xmlFreeParserCtxt (context);
  return ok;
}

/* heron-cli-render.c: heron-cli render: the display model of a message file
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-cli.h"
#include "mime/heron-mime.h"

/* The message flags by the names docs/cli.md and tests/backend/mime/corpus/expected.ini use. */
static const struct {
  HeronMimeMessageFlags flag;
  const char *name;
} message_flags[] = {
  { HERON_MIME_MESSAGE_SIGNED, "signed" },
  { HERON_MIME_MESSAGE_ENCRYPTED, "encrypted" },
  { HERON_MIME_MESSAGE_TOO_DEEP, "too-deep" },
  { HERON_MIME_MESSAGE_TOO_MANY_PARTS, "too-many-parts" },
  { HERON_MIME_MESSAGE_TEXT_TRUNCATED, "text-truncated" },
  { HERON_MIME_MESSAGE_MALFORMED, "malformed" },
  { HERON_MIME_MESSAGE_HEADERS_TRUNCATED, "headers-truncated" },
  { HERON_MIME_MESSAGE_NO_HEADERS, "no-headers" },
};

static const char *
attachment_kind_name (HeronMimeAttachmentKind kind)
{
  switch (kind)
    {
    case HERON_MIME_ATTACHMENT_MESSAGE:
      return "message";
    case HERON_MIME_ATTACHMENT_ENCRYPTED:
      return "encrypted";
    case HERON_MIME_ATTACHMENT_FILE:
    default:
      return "file";
    }
}

static const char *
body_kind_name (HeronMimeBodyKind kind)
{
  switch (kind)
    {
    case HERON_MIME_BODY_PLAIN:
      return "plain";
    case HERON_MIME_BODY_HTML:
      return "html";
    case HERON_MIME_BODY_NONE:
    default:
      return "none";
    }
}

/* "Name <address>, ..." for display; "" for an empty list. */
static char *
join_addresses (GPtrArray *addresses)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      g_autofree char *one = heron_mime_address_to_string (g_ptr_array_index (addresses, i));

      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_addresses_json (JsonBuilder *builder,
                    const char  *member,
                    GPtrArray   *addresses)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < addresses->len; i++)
    {
      HeronMimeAddress *address = g_ptr_array_index (addresses, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, address->name);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, address->address);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (HeronMimeMessage  *message,
            const char        *sender,
            gboolean           suspicious,
            const char        *date,
            HeronMimeBodyKind  kind,
            const char        *body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *attachments = heron_mime_message_get_attachments (message);
  HeronMimeMessageFlags flags = heron_mime_message_get_flags (message);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, heron_mime_message_get_subject (message));
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, sender);
  json_builder_set_member_name (builder, "suspicious");
  json_builder_add_boolean_value (builder, suspicious);
  add_addresses_json (builder, "from-addresses", heron_mime_message_get_from (message));
  add_addresses_json (builder, "to", heron_mime_message_get_to (message));
  add_addresses_json (builder, "cc", heron_mime_message_get_cc (message));
  add_nullable_string (builder, "date", date);
  add_nullable_string (builder, "message-id", heron_mime_message_get_message_id (message));
  json_builder_set_member_name (builder, "body-kind");
  json_builder_add_string_value (builder, body_kind_name (kind));
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body != NULL ? body : "");

  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < attachments->len; i++)
    {
      HeronMimeAttachment *attachment = g_ptr_array_index (attachments, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, heron_mime_attachment_get_filename (attachment));
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, heron_mime_attachment_get_content_type (attachment));
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, heron_mime_attachment_get_size (attachment));
      json_builder_set_member_name (builder, "inline");
      json_builder_add_boolean_value (builder, heron_mime_attachment_is_inline (attachment));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, attachment_kind_name (heron_mime_attachment_get_kind (attachment)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (message_flags); i++)
    if (flags & message_flags[i].flag)
      json_builder_add_string_value (builder, message_flags[i].name);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  heron_cli_print_json (root);
}

static void
print_text (HeronMimeMessage *message,
            const char       *sender,
            gboolean          suspicious,
            const char       *date,
            const char       *body)
{
  GPtrArray *attachments = heron_mime_message_get_attachments (message);
  HeronMimeMessageFlags flags = heron_mime_message_get_flags (message);
  g_autofree char *to = join_addresses (heron_mime_message_get_to (message));
  g_autofree char *cc = join_addresses (heron_mime_message_get_cc (message));
  const char *message_id = heron_mime_message_get_message_id (message);
  g_autoptr(GString) flag_names = g_string_new (NULL);

  g_print ("%s %s\n", _("Subject:"), heron_mime_message_get_subject (message));
  if (suspicious)
    /* Translators: the sender display, then a warning that it may be forged */
    g_print ("%s %s (%s)\n", _("From:"), sender, _("suspicious"));
  else
    g_print ("%s %s\n", _("From:"), sender);
  g_print ("%s %s\n", _("To:"), to);
  if (*cc != '\0')
    g_print ("%s %s\n", _("Cc:"), cc);
  g_print ("%s %s\n", _("Date:"), date != NULL ? date : "");
  g_print ("%s %s\n", _("Message-ID:"), message_id != NULL ? message_id : "");

  for (guint i = 0; i < G_N_ELEMENTS (message_flags); i++)
    if (flags & message_flags[i].flag)
      g_string_append_printf (flag_names, "%s%s", flag_names->len > 0 ? ", " : "", message_flags[i].name);
  if (flag_names->len > 0)
    g_print ("%s %s\n", _("Flags:"), flag_names->str);

  for (guint i = 0; i < attachments->len; i++)
    {
      HeronMimeAttachment *attachment = g_ptr_array_index (attachments, i);

      g_print ("%s %s (%s, %" G_GINT64_FORMAT " bytes%s)\n", _("Attachment:"),
               heron_mime_attachment_get_filename (attachment),
               heron_mime_attachment_get_content_type (attachment),
               (gint64) heron_mime_attachment_get_size (attachment),
               heron_mime_attachment_is_inline (attachment) ? ", inline" : "");
    }

  g_print ("\n%s", body != NULL ? body : "");
  if (body != NULL && *body != '\0' && !g_str_has_suffix (body, "\n"))
    g_print ("\n");
}

int
heron_cli_render (HeronCli *cli,
                  int       argc,
                  char    **argv)
{
  gboolean html = FALSE;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "html", 0, 0, G_OPTION_ARG_NONE, &html, N_("Print the HTML body as it is, when there is one"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the model as one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE.eml — show a message as Heron shows it"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(HeronMimeMessage) message = NULL;
  g_autofree char *date = NULL;
  g_autofree char *body = NULL;
  const char *sender;
  gboolean suspicious = FALSE;
  HeronMimeBodyKind kind;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Prints the display model of a message file: the headers (the sender "
                                  "with the real-address rule), the body as text (HTML converted unless "
                                  "--html), the attachments and the flags."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_USAGE, error);
  if (argc != 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("render takes one message file"));

  file = g_file_new_for_commandline_arg (argv[1]);
  message = heron_mime_message_new_from_file (file, NULL, &error);
  if (message == NULL)
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE, _("Could not read “%s”: %s"), argv[1], error->message);

  sender = heron_mime_message_get_sender_display (message, &suspicious);
  if (heron_mime_message_get_date (message) != NULL)
    date = g_date_time_format (heron_mime_message_get_date (message), "%Y-%m-%dT%H:%M:%S%:z");
  kind = heron_mime_message_get_body (message, html, &body);

  if (json)
    print_json (message, sender, suspicious, date, kind, body);
  else
    print_text (message, sender, suspicious, date, body);
  return HERON_CLI_EXIT_OK;
}

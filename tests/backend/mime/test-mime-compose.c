/* test-mime-compose.c: composition round trips, replies, forwards and drafts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "mime/heron-mime.h"

static HeronAccountIdentity *
alice (void)
{
  HeronAccountIdentity *id = heron_account_identity_new ("Alice Ängström", "alice@example.test");

  heron_account_identity_set_signature (id, "Alice\nhttps://alice.example.test");
  return id;
}

static GPtrArray *
identities (void)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (ids, alice ());
  g_ptr_array_add (ids, heron_account_identity_new ("Alice (work)", "alice@work.example.test"));
  return ids;
}

static HeronMimeMessage *
parse_bytes (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  HeronMimeMessage *msg = heron_mime_message_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  return msg;
}

static HeronMimeMessage *
parse_text (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return parse_bytes (bytes);
}

/* Every line of the wire format ends in CRLF and is at most 998 octets (RFC 5322 2.1.1). */
static void
assert_wire_format (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  gsize line = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n')
        {
          g_assert_true (i > 0 && data[i - 1] == '\r');
          g_assert_cmpuint (line, <=, 999);
          line = 0;
          continue;
        }
      g_assert_true (data[i] != '\r' || (i + 1 < len && data[i + 1] == '\n'));
      line++;
    }
}

static char *
header_block (GBytes *message)
{
  const char *data = g_bytes_get_data (message, NULL);
  const char *end = strstr (data, "\r\n\r\n");

  return g_strndup (data, end - data + 2);
}

static void
test_round_trip (void)
{
  g_autoptr(HeronAccountIdentity) id = alice ();
  g_autoptr(HeronMimeComposition) c = heron_mime_composition_new (id);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("heron-compose-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "Über uns – Präsentation.pdf", NULL);
  g_autofree char *headers = NULL;
  GPtrArray *atts;
  GString *pdf = g_string_new ("%PDF-1.4\n");
  const char *body =
    "Hallo Zoë,\n\nhier ist die Präsentation. Dieser Absatz ist absichtlich lang genug, dass er beim "
    "Senden als format=flowed umbrochen werden muss und beim Lesen wieder zusammenfindet.\n\n"
    "> Eine zitierte Zeile\n\n-- \nAlice\n";

  for (guint i = 0; i < 5000; i++)
    g_string_append_c (pdf, (char) (i * 7 % 256));
  g_assert_true (g_file_set_contents (path, pdf->str, pdf->len, NULL));

  g_free (c->subject);
  c->subject = g_strdup ("Präsentation für Montag – 日本語 too");
  g_free (c->body);
  c->body = g_strdup (body);
  heron_mime_composition_add_recipient (c->to, "Zoë Martin", "zoe@example.test");
  heron_mime_composition_add_recipient (c->cc, "Иван Петров", "ivan@example.test");
  heron_mime_composition_add_recipient (c->bcc, NULL, "secret@example.test");
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    g_ptr_array_add (c->attachments, heron_mime_compose_attachment_new_for_file (file));
  }
  {
    g_autoptr(GBytes) data = g_bytes_new_static ("a,b\n1,2\n", 8);

    g_ptr_array_add (c->attachments, heron_mime_compose_attachment_new_for_data (data, "Zahlen ä.csv", NULL));
  }

  out = heron_mime_composition_build (c, HERON_MIME_BUILD_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  assert_wire_format (out->message);

  /* the envelope keeps Bcc, the message does not */
  g_assert_cmpstr (out->envelope_from, ==, "alice@example.test");
  g_assert_cmpuint (g_strv_length (out->recipients), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) out->recipients, "secret@example.test"));
  headers = header_block (out->message);
  g_assert_null (strstr (headers, "secret@example.test"));
  g_assert_null (strstr (headers, "Bcc"));
  /* headers are ASCII: RFC 2047 for the subject and names, RFC 2231 for the file name */
  {
    gsize len;
    const guchar *data = g_bytes_get_data (out->message, &len);
    g_autofree char *text = g_strndup ((const char *) data, len);

    for (gsize i = 0; i < len; i++)
      g_assert_cmpint (data[i], <, 0x80);
    g_assert_true (strstr (text, "filename*=UTF-8''") != NULL || strstr (text, "filename*0*=UTF-8''") != NULL);
  }
  g_assert_true (g_str_has_suffix (out->message_id, "@example.test"));
  g_assert_nonnull (strstr (headers, "Message-Id: <") != NULL ? headers : strstr (headers, "Message-ID: <"));
  g_assert_nonnull (strstr (headers, "Date: "));

  msg = parse_bytes (out->message);
  g_assert_cmpstr (heron_mime_message_get_subject (msg), ==, "Präsentation für Montag – 日本語 too");
  g_assert_cmpstr (heron_mime_message_get_sender_display (msg, NULL), ==, "Alice Ängström");
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (heron_mime_message_get_to (msg), 0))->name, ==, "Zoë Martin");
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (heron_mime_message_get_cc (msg), 0))->name, ==, "Иван Петров");
  g_assert_cmpuint (heron_mime_message_get_bcc (msg)->len, ==, 0);
  g_assert_cmpstr (heron_mime_message_get_message_id (msg), ==, out->message_id);
  g_assert_nonnull (heron_mime_message_get_date (msg));
  g_assert_cmpstr (heron_mime_message_get_text (msg), ==, body);

  atts = heron_mime_message_get_attachments (msg);
  g_assert_cmpuint (atts->len, ==, 2);
  {
    HeronMimeAttachment *a = g_ptr_array_index (atts, 0);
    g_autoptr(GBytes) content = heron_mime_attachment_get_content (a, 1 << 20, NULL);

    g_assert_cmpstr (heron_mime_attachment_get_filename (a), ==, "Über uns – Präsentation.pdf");
    g_assert_cmpstr (heron_mime_attachment_get_content_type (a), ==, "application/pdf");
    g_assert_cmpint (heron_mime_attachment_get_size (a), ==, pdf->len);
    g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), pdf->str, pdf->len);
  }
  {
    HeronMimeAttachment *a = g_ptr_array_index (atts, 1);

    g_assert_cmpstr (heron_mime_attachment_get_filename (a), ==, "Zahlen ä.csv");
    g_assert_cmpstr (heron_mime_attachment_get_content_type (a), ==, "text/csv");
  }

  g_string_free (pdf, TRUE);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_transfer_encodings (void)
{
  static const struct {
    const char *body;
    const char *encoding;   /* expected Content-Transfer-Encoding, NULL for 7bit */
  } cases[] = {
    { "plain ASCII only\n", NULL },
    { "Mostly ASCII with one ümlaut in a longer sentence of text.\n", "quoted-printable" },
    { "Почти весь текст не в ASCII, поэтому base64.\n", "base64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeronAccountIdentity) id = alice ();
      g_autoptr(HeronMimeComposition) c = heron_mime_composition_new (id);
      g_autoptr(HeronMimeOutgoing) out = NULL;
      g_autoptr(HeronMimeMessage) msg = NULL;
      g_autofree char *data = NULL;

      g_free (c->body);
      c->body = g_strdup (cases[i].body);
      heron_mime_composition_add_recipient (c->to, NULL, "zoe@example.test");
      out = heron_mime_composition_build (c, 0, NULL, NULL);
      data = g_strndup (g_bytes_get_data (out->message, NULL), g_bytes_get_size (out->message));
      if (cases[i].encoding == NULL)
        g_assert_null (strstr (data, "Content-Transfer-Encoding: quoted") != NULL ? data :
                       strstr (data, "Content-Transfer-Encoding: base64"));
      else
        {
          g_autofree char *h = g_strdup_printf ("Content-Transfer-Encoding: %s", cases[i].encoding);

          g_assert_nonnull (strstr (data, h));
        }
      assert_wire_format (out->message);
      msg = parse_bytes (out->message);
      g_assert_cmpstr (heron_mime_message_get_text (msg), ==, cases[i].body);
    }
}

static void
test_flowed_long_lines (void)
{
  g_autoptr(HeronAccountIdentity) id = alice ();
  g_autoptr(HeronMimeComposition) c = heron_mime_composition_new (id);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) msg = NULL;
  GString *body = g_string_new (NULL);

  /* one word of 3,000 characters cannot be wrapped: quoted-printable keeps the lines short */
  for (guint i = 0; i < 3000; i++)
    g_string_append_c (body, 'a' + i % 26);
  g_string_append (body, " end\n");
  g_free (c->body);
  c->body = g_string_free (body, FALSE);
  heron_mime_composition_add_recipient (c->to, NULL, "zoe@example.test");
  out = heron_mime_composition_build (c, 0, NULL, NULL);
  assert_wire_format (out->message);
  msg = parse_bytes (out->message);
  g_assert_cmpstr (heron_mime_message_get_text (msg), ==, c->body);
}

static const char *original_text =
  "From: Zoë Martin <zoe@example.test>\r\n"
  "To: Alice <alice@example.test>, Bob <bob@example.test>\r\n"
  "Cc: alice@work.example.test, Carol <carol@example.test>, bob@example.test\r\n"
  "Subject: RE: AW: Re: Plans\r\n"
  "Date: Mon, 11 Nov 2024 16:00:00 +0000\r\n"
  "Message-ID: <three@example.test>\r\n"
  "In-Reply-To: <two@example.test>\r\n"
  "References: <one@example.test> <two@example.test>\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Shall we meet on Tuesday?\r\n"
  "> Earlier words\r\n"
  "\r\n"
  "-- \r\n"
  "Zoë\r\n";

static void
test_reply (void)
{
  g_autoptr(GPtrArray) ids = identities ();
  g_autoptr(HeronMimeMessage) orig = parse_text (original_text);
  g_autoptr(HeronMimeComposition) r = heron_mime_composition_new_reply (orig, ids, FALSE);
  g_autoptr(HeronMimeComposition) all = heron_mime_composition_new_reply (orig, ids, TRUE);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) sent = NULL;
  const char * const *refs;

  g_assert_cmpint (r->kind, ==, HERON_MIME_COMPOSE_REPLY);
  g_assert_cmpstr (heron_account_identity_get_address (r->identity), ==, "alice@example.test");
  g_assert_cmpstr (r->subject, ==, "Re: Plans");
  g_assert_cmpuint (r->to->len, ==, 1);
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (r->to, 0))->address, ==, "zoe@example.test");
  g_assert_cmpuint (r->cc->len, ==, 0);
  g_assert_cmpstr (r->in_reply_to, ==, "three@example.test");
  g_assert_cmpuint (r->references->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (r->references, 0), ==, "one@example.test");
  g_assert_cmpstr (g_ptr_array_index (r->references, 2), ==, "three@example.test");
  /* attribution, quote without the original's signature, then our signature */
  g_assert_cmpstr (r->body, ==,
                   "On Mon, Nov 11, 2024 at 16:00, Zoë Martin wrote:\n"
                   "> Shall we meet on Tuesday?\n"
                   ">> Earlier words\n"
                   "\n"
                   "-- \nAlice\nhttps://alice.example.test\n");

  /* reply all: everyone but our own addresses, each once */
  g_assert_cmpuint (all->to->len, ==, 1);
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (all->to, 0))->address, ==, "zoe@example.test");
  g_assert_cmpuint (all->cc->len, ==, 2);
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (all->cc, 0))->address, ==, "bob@example.test");
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (all->cc, 1))->address, ==, "carol@example.test");

  /* what goes out threads under the original */
  out = heron_mime_composition_build (all, 0, NULL, NULL);
  sent = parse_bytes (out->message);
  g_assert_cmpstr (heron_mime_message_get_in_reply_to (sent), ==, "three@example.test");
  refs = heron_mime_message_get_references (sent);
  g_assert_cmpuint (g_strv_length ((GStrv) refs), ==, 3);
  g_assert_cmpstr (refs[2], ==, "three@example.test");
  g_assert_cmpstr (heron_mime_message_get_subject (sent), ==, "Re: Plans");
}

static void
test_reply_special_cases (void)
{
  g_autoptr(GPtrArray) ids = identities ();

  /* Reply-To wins for a reply; a reply to one's own message goes to its recipients */
  {
    g_autoptr(HeronMimeMessage) m = parse_text ("From: List <list@example.test>\nReply-To: Zoë <zoe@example.test>\n"
                                                "To: alice@example.test\nSubject: Hi\nMessage-ID: <x@y>\n\nHi\n");
    g_autoptr(HeronMimeComposition) r = heron_mime_composition_new_reply (m, ids, FALSE);

    g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (r->to, 0))->address, ==, "zoe@example.test");
    g_assert_cmpstr (r->subject, ==, "Re: Hi");
    g_assert_cmpuint (r->references->len, ==, 1);
  }
  {
    g_autoptr(HeronMimeMessage) m = parse_text ("From: Alice <ALICE@example.test>\nTo: Bob <bob@example.test>\n"
                                                "Subject: Sent by me\n\nHi\n");
    g_autoptr(HeronMimeComposition) r = heron_mime_composition_new_reply (m, ids, TRUE);

    g_assert_cmpuint (r->to->len, ==, 1);
    g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (r->to, 0))->address, ==, "bob@example.test");
    g_assert_cmpuint (r->cc->len, ==, 0);
  }
  /* Mail-Followup-To for reply all; the work identity answers mail sent to it */
  {
    g_autoptr(HeronMimeMessage) m = parse_text ("From: Zoë <zoe@example.test>\nTo: dev@lists.example.test\n"
                                                "Cc: alice@work.example.test\nMail-Followup-To: dev@lists.example.test\n"
                                                "In-Reply-To: <parent@example.test>\nMessage-ID: <child@example.test>\n"
                                                "Subject: [dev] Build\n\nHi\n");
    g_autoptr(HeronMimeComposition) r = heron_mime_composition_new_reply (m, ids, TRUE);

    g_assert_cmpstr (heron_account_identity_get_address (r->identity), ==, "alice@work.example.test");
    g_assert_cmpuint (r->to->len, ==, 1);
    g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (r->to, 0))->address, ==, "dev@lists.example.test");
    g_assert_cmpuint (r->cc->len, ==, 0);
    g_assert_cmpstr (r->subject, ==, "Re: [dev] Build");
    /* References built from In-Reply-To when the original had none */
    g_assert_cmpuint (r->references->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (r->references, 0), ==, "parent@example.test");
  }
  /* a long chain is trimmed to the root and the nearest ancestors */
  {
    GString *m = g_string_new ("From: z@example.test\nMessage-ID: <last@example.test>\nReferences:");
    g_autoptr(HeronMimeMessage) msg = NULL;
    g_autoptr(HeronMimeComposition) r = NULL;

    for (guint i = 0; i < 40; i++)
      g_string_append_printf (m, " <r%u@example.test>", i);
    g_string_append (m, "\n\nx\n");
    msg = parse_text (m->str);
    r = heron_mime_composition_new_reply (msg, ids, FALSE);
    g_assert_cmpuint (r->references->len, ==, HERON_MIME_COMPOSE_MAX_REFERENCES);
    g_assert_cmpstr (g_ptr_array_index (r->references, 0), ==, "r0@example.test");
    g_assert_cmpstr (g_ptr_array_index (r->references, HERON_MIME_COMPOSE_MAX_REFERENCES - 1), ==, "last@example.test");
    g_string_free (m, TRUE);
  }
}

static void
test_subjects (void)
{
  static const struct { const char *in, *reply, *forward; } cases[] = {
    { "Plans", "Re: Plans", "Fwd: Plans" },
    { "Re: Plans", "Re: Plans", "Fwd: Re: Plans" },
    { "RE: Re: re: Plans", "Re: Plans", "Fwd: RE: Re: re: Plans" },
    { "AW: SV: Antw: Odp: Plans", "Re: Plans", "Fwd: AW: SV: Antw: Odp: Plans" },
    { "Re[2]: Plans", "Re: Plans", "Fwd: Re[2]: Plans" },
    { "Fwd: Plans", "Re: Fwd: Plans", "Fwd: Plans" },
    { "FW: WG: Plans", "Re: FW: WG: Plans", "Fwd: Plans" },
    { "回复：计划", "Re: 计划", "Fwd: 回复：计划" },
    { "", "Re: ", "Fwd: " },
    { "Re:", "Re: ", "Fwd: Re:" },
    { "Reply needed", "Re: Reply needed", "Fwd: Reply needed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reply = heron_mime_subject_for_reply (cases[i].in);
      g_autofree char *forward = heron_mime_subject_for_forward (cases[i].in);

      g_test_message ("case %u: %s", i, cases[i].in);
      g_assert_cmpstr (reply, ==, cases[i].reply);
      g_assert_cmpstr (forward, ==, cases[i].forward);
    }
  {
    g_autofree char *stripped = heron_mime_subject_strip ("Re: Fwd: AW: Plans");

    g_assert_cmpstr (stripped, ==, "Plans");
  }
}

static void
test_forward (void)
{
  g_autoptr(GPtrArray) ids = identities ();
  g_autoptr(HeronMimeMessage) orig = parse_text (original_text);
  g_autoptr(HeronMimeComposition) inline_fwd = heron_mime_composition_new_forward (orig, ids, FALSE);
  g_autoptr(HeronMimeComposition) att_fwd = heron_mime_composition_new_forward (orig, ids, TRUE);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) sent = NULL;
  g_autoptr(HeronMimeMessage) inner = NULL;
  HeronMimeAttachment *att;

  g_assert_cmpstr (inline_fwd->subject, ==, "Fwd: RE: AW: Re: Plans");
  g_assert_null (inline_fwd->in_reply_to);
  g_assert_nonnull (strstr (inline_fwd->body, "-------- Forwarded Message --------\nSubject: RE: AW: Re: Plans\n"));
  g_assert_nonnull (strstr (inline_fwd->body, "From: Zoë Martin <zoe@example.test>\n"));
  g_assert_nonnull (strstr (inline_fwd->body, "\nShall we meet on Tuesday?\n"));
  g_assert_cmpuint (inline_fwd->attachments->len, ==, 0);

  g_assert_cmpuint (att_fwd->attachments->len, ==, 1);
  heron_mime_composition_add_recipient (att_fwd->to, NULL, "dan@example.test");
  out = heron_mime_composition_build (att_fwd, 0, NULL, NULL);
  assert_wire_format (out->message);
  sent = parse_bytes (out->message);
  g_assert_cmpuint (heron_mime_message_get_attachments (sent)->len, ==, 1);
  att = g_ptr_array_index (heron_mime_message_get_attachments (sent), 0);
  g_assert_true (heron_mime_attachment_is_message (att));
  g_assert_cmpstr (heron_mime_attachment_get_content_type (att), ==, "message/rfc822");
  g_assert_cmpstr (heron_mime_attachment_get_filename (att), ==, "RE: AW: Re: Plans.eml");
  inner = heron_mime_attachment_open_message (att, NULL);
  g_assert_cmpstr (heron_mime_message_get_message_id (inner), ==, "three@example.test");
  g_assert_cmpstr (heron_mime_message_get_subject (inner), ==, "RE: AW: Re: Plans");
}

static void
test_forward_keeps_attachments (void)
{
  g_autoptr(GPtrArray) ids = identities ();
  g_autofree char *path = g_build_filename (HERON_MIME_CORPUS, "winmail-dat.eml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(HeronMimeMessage) orig = heron_mime_message_new_from_file (file, NULL, NULL);
  g_autoptr(HeronMimeComposition) f = heron_mime_composition_new_forward (orig, ids, FALSE);
  HeronMimeComposeAttachment *a;

  g_assert_cmpuint (f->attachments->len, ==, 1);
  a = g_ptr_array_index (f->attachments, 0);
  g_assert_cmpstr (a->filename, ==, "winmail.dat");
  g_assert_cmpstr (a->content_type, ==, "application/ms-tnef");
  g_assert_cmpuint (g_bytes_get_size (a->data), ==, 104);
}

static void
test_draft_round_trip (void)
{
  g_autoptr(GPtrArray) ids = identities ();
  g_autoptr(HeronMimeMessage) orig = parse_text (original_text);
  g_autoptr(HeronMimeComposition) r = heron_mime_composition_new_reply (orig, ids, TRUE);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) draft = NULL;
  g_autoptr(HeronMimeComposition) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = NULL;

  heron_mime_composition_add_recipient (r->bcc, "Hidden", "hidden@example.test");
  {
    g_autoptr(GBytes) data = g_bytes_new_static ("\x89PNG\r\n\x1a\nrest", 12);

    g_ptr_array_add (r->attachments, heron_mime_compose_attachment_new_for_data (data, "bild.png", "image/png"));
  }
  out = heron_mime_composition_build (r, HERON_MIME_BUILD_DRAFT, NULL, &error);
  g_assert_no_error (error);
  draft = parse_bytes (out->message);
  marker = heron_mime_message_dup_header (draft, HERON_MIME_DRAFT_HEADER);
  g_assert_cmpstr (marker, ==, "reply-all");
  /* a draft keeps Bcc */
  g_assert_cmpuint (heron_mime_message_get_bcc (draft)->len, ==, 1);

  back = heron_mime_composition_new_from_draft (draft, ids);
  g_assert_cmpint (back->kind, ==, HERON_MIME_COMPOSE_REPLY_ALL);
  g_assert_true (back->identity == g_ptr_array_index (ids, 0));
  g_assert_cmpstr (back->subject, ==, r->subject);
  g_assert_cmpstr (back->body, ==, r->body);
  g_assert_cmpstr (back->in_reply_to, ==, r->in_reply_to);
  g_assert_cmpuint (back->references->len, ==, r->references->len);
  g_assert_cmpuint (back->to->len, ==, r->to->len);
  g_assert_cmpuint (back->cc->len, ==, r->cc->len);
  g_assert_cmpuint (back->bcc->len, ==, 1);
  g_assert_cmpstr (((HeronMimeAddress *) g_ptr_array_index (back->bcc, 0))->address, ==, "hidden@example.test");
  g_assert_cmpuint (back->attachments->len, ==, 1);
  {
    HeronMimeComposeAttachment *a = g_ptr_array_index (back->attachments, 0);

    g_assert_cmpstr (a->filename, ==, "bild.png");
    g_assert_cmpstr (a->content_type, ==, "image/png");
    g_assert_cmpmem (g_bytes_get_data (a->data, NULL), g_bytes_get_size (a->data), "\x89PNG\r\n\x1a\nrest", 12);
  }
}

static void
test_invalid (void)
{
  g_autoptr(HeronMimeComposition) none = heron_mime_composition_new (NULL);
  g_autoptr(HeronAccountIdentity) id = alice ();
  g_autoptr(HeronMimeComposition) nobody = heron_mime_composition_new (id);
  g_autoptr(GError) error = NULL;
  HeronMimeOutgoing *out;

  out = heron_mime_composition_build (none, 0, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_INVALID);
  g_clear_error (&error);
  out = heron_mime_composition_build (nobody, 0, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, HERON_MIME_ERROR, HERON_MIME_ERROR_INVALID);
  g_clear_error (&error);
  /* a draft may have no recipients */
  out = heron_mime_composition_build (nobody, HERON_MIME_BUILD_DRAFT, NULL, &error);
  g_assert_no_error (error);
  heron_mime_outgoing_free (out);
  /* a missing file is an I/O error */
  {
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/heron/file.pdf");

    heron_mime_composition_add_recipient (nobody->to, NULL, "zoe@example.test");
    g_ptr_array_add (nobody->attachments, heron_mime_compose_attachment_new_for_file (missing));
    out = heron_mime_composition_build (nobody, 0, NULL, &error);
    g_assert_null (out);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

/* A .eml file (message/rfc822 to GIO) is attached as a message part, never base64. */
static void
test_eml_file_attachment (void)
{
  g_autoptr(HeronAccountIdentity) id = alice ();
  g_autoptr(HeronMimeComposition) c = heron_mime_composition_new (id);
  g_autofree char *path = g_build_filename (HERON_MIME_CORPUS, "plain-sender.eml", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(HeronMimeOutgoing) out = NULL;
  g_autoptr(HeronMimeMessage) sent = NULL;
  g_autoptr(GError) error = NULL;
  HeronMimeAttachment *att;

  heron_mime_composition_add_recipient (c->to, NULL, "zoe@example.test");
  g_ptr_array_add (c->attachments, heron_mime_compose_attachment_new_for_file (file));
  out = heron_mime_composition_build (c, 0, NULL, &error);
  g_assert_no_error (error);
  sent = parse_bytes (out->message);
  att = g_ptr_array_index (heron_mime_message_get_attachments (sent), 0);
  g_assert_true (heron_mime_attachment_is_message (att));
  g_assert_cmpstr (heron_mime_attachment_get_filename (att), ==, "plain-sender.eml");
  g_assert_cmpstr (heron_mime_attachment_get_message_sender (att), ==, "Renée Dupont");
}

static void
on_built (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  HeronMimeOutgoing **out = user_data;
  GError *error = NULL;

  *out = heron_mime_composition_build_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_build_async (void)
{
  g_autoptr(HeronAccountIdentity) id = alice ();
  g_autoptr(HeronMimeComposition) c = heron_mime_composition_new (id);
  HeronMimeOutgoing *out = NULL;

  heron_mime_composition_add_recipient (c->to, NULL, "zoe@example.test");
  heron_mime_composition_build_async (c, 0, NULL, on_built, &out);
  /* the composition may change while the worker builds its copy */
  g_free (c->subject);
  c->subject = g_strdup ("changed");
  while (out == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_strv_length (out->recipients), ==, 1);
  heron_mime_outgoing_free (out);
}

/* The signature block: one separator however the signature is written, the same block in a new
 * message and a reply, and replaced when the sender changes while it is untouched. */
static void
test_signatures (void)
{
  g_autoptr(HeronAccountIdentity) home = alice ();
  g_autoptr(HeronAccountIdentity) work = heron_account_identity_new ("Alice", "alice@work.example.test");
  g_autoptr(HeronAccountIdentity) plain = heron_account_identity_new ("Alice", "alice@plain.example.test");
  g_autoptr(HeronMimeComposition) fresh = NULL;
  g_autoptr(HeronMimeComposition) unsigned_message = NULL;
  g_autofree char *block = NULL;
  g_autofree char *body = NULL;

  /* a signature that starts with its own separator gets no second one */
  heron_account_identity_set_signature (work, "-- \nAlice at work\n");
  block = heron_mime_signature_block (work);
  g_assert_cmpstr (block, ==, "-- \nAlice at work\n");
  g_clear_pointer (&block, g_free);
  block = heron_mime_signature_block (home);
  g_assert_cmpstr (block, ==, "-- \nAlice\nhttps://alice.example.test\n");
  g_assert_null (heron_mime_signature_block (plain));
  g_assert_null (heron_mime_signature_block (NULL));

  /* a new message: room to write, then the block */
  fresh = heron_mime_composition_new_message (work);
  g_assert_cmpstr (fresh->body, ==, "\n\n-- \nAlice at work\n");
  g_assert_true (fresh->identity == work);
  unsigned_message = heron_mime_composition_new_message (plain);
  g_assert_true (unsigned_message->body == NULL || *unsigned_message->body == '\0');

  /* another sender: the block is replaced, the text above it stays */
  body = heron_mime_replace_signature ("Hello\n\n-- \nAlice at work\n", work, home);
  g_assert_cmpstr (body, ==, "Hello\n\n-- \nAlice\nhttps://alice.example.test\n");
  g_clear_pointer (&body, g_free);
  body = heron_mime_replace_signature (fresh->body, work, home);
  g_assert_cmpstr (body, ==, "\n\n-- \nAlice\nhttps://alice.example.test\n");
  g_clear_pointer (&body, g_free);
  /* to one without a signature: removed; from one without: added on a line of its own */
  body = heron_mime_replace_signature ("Hello\n-- \nAlice at work\n", work, plain);
  g_assert_cmpstr (body, ==, "Hello\n");
  g_clear_pointer (&body, g_free);
  body = heron_mime_replace_signature ("Hello", plain, work);
  g_assert_cmpstr (body, ==, "Hello\n-- \nAlice at work\n");
  g_clear_pointer (&body, g_free);

  /* a block the person changed, or wrote after, stays as it is */
  g_assert_null (heron_mime_replace_signature ("Hello\n-- \nAlice at home now\n", work, home));
  g_assert_null (heron_mime_replace_signature ("Hello\n-- \nAlice at work\nP.S. one more thing\n", work, home));
  /* the block's text inside a line is not a block */
  g_assert_null (heron_mime_replace_signature ("Hello x-- \nAlice at work\n", work, home));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();

  g_test_add_func ("/heron/mime/compose/round-trip", test_round_trip);
  g_test_add_func ("/heron/mime/compose/transfer-encodings", test_transfer_encodings);
  g_test_add_func ("/heron/mime/compose/flowed-long-lines", test_flowed_long_lines);
  g_test_add_func ("/heron/mime/compose/reply", test_reply);
  g_test_add_func ("/heron/mime/compose/reply-special-cases", test_reply_special_cases);
  g_test_add_func ("/heron/mime/compose/subjects", test_subjects);
  g_test_add_func ("/heron/mime/compose/forward", test_forward);
  g_test_add_func ("/heron/mime/compose/forward-keeps-attachments", test_forward_keeps_attachments);
  g_test_add_func ("/heron/mime/compose/draft-round-trip", test_draft_round_trip);
  g_test_add_func ("/heron/mime/compose/invalid", test_invalid);
  g_test_add_func ("/heron/mime/compose/build-async", test_build_async);
  g_test_add_func ("/heron/mime/compose/eml-file-attachment", test_eml_file_attachment);
  g_test_add_func ("/heron/mime/compose/signatures", test_signatures);

  ret = g_test_run ();
  heron_mime_shutdown ();
  return ret;
}

/* test-seed.c: the seeding tool writes the same realistic corpus every time, and GMime reads all
 * of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE  /* memmem */

#include "heron-seed.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORPUS_SIZE 2000
#define CORPUS_SEED 42
#define OWNER "alice@example.test"

static const HeronSeedSpec corpus_spec = { CORPUS_SEED, 0, CORPUS_SIZE, 0, OWNER };

/* ---- The corpus, made once and shared by the tests ------------------------------------------ */

typedef struct {
  GBytes *bytes[CORPUS_SIZE];
  gint64  dates[CORPUS_SIZE];
  char   *flags[CORPUS_SIZE];
} Corpus;

static Corpus *corpus;

static Corpus *
get_corpus (void)
{
  if (corpus == NULL)
    {
      corpus = g_new0 (Corpus, 1);
      for (guint i = 0; i < CORPUS_SIZE; i++)
        corpus->bytes[i] = heron_seed_generate (&corpus_spec, i, &corpus->dates[i],
                                                &corpus->flags[i]);
    }
  return corpus;
}

static void
free_corpus (void)
{
  if (corpus == NULL)
    return;
  for (guint i = 0; i < CORPUS_SIZE; i++)
    {
      g_bytes_unref (corpus->bytes[i]);
      g_free (corpus->flags[i]);
    }
  g_clear_pointer (&corpus, g_free);
}

/* ---- Helpers -------------------------------------------------------------------------------- */

static gboolean
bytes_contain (GBytes *bytes, const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

/* The length of the top-level header block, up to the empty line. */
static gsize
header_length (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *end = memmem (data, len, "\n\n", 2);

  g_assert_nonnull (end);
  return (gsize) (end - data) + 1;
}

static char *
strip_angles (const char *id)
{
  g_autofree char *copy = g_strstrip (g_strdup (id));
  gsize len = strlen (copy);

  if (len >= 2 && copy[0] == '<' && copy[len - 1] == '>')
    return g_strndup (copy + 1, len - 2);
  return g_steal_pointer (&copy);
}

static gboolean
list_has (InternetAddressList *list, const char *addr)
{
  if (list == NULL)
    return FALSE;
  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (ia) &&
          g_ascii_strcasecmp (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)),
                              addr) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  guint warnings;
  guint unencoded_8bit;
  char  first[256];
} Warnings;

static void
on_warning (gint64 offset, GMimeParserWarning code, const char *item, gpointer user_data)
{
  Warnings *w = user_data;

  if (code == GMIME_WARN_UNENCODED_8BIT_HEADER)
    {
      w->unencoded_8bit++;
      return;
    }
  if (w->warnings++ == 0)
    g_snprintf (w->first, sizeof w->first, "warning %d at %" G_GINT64_FORMAT ": %s", code, offset,
                item != NULL ? item : "");
}

static GMimeMessage *
parse (GBytes *bytes, Warnings *warnings)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeParserOptions *options = g_mime_parser_options_new ();
  GMimeMessage *message;

  g_mime_parser_options_set_warning_callback (options, on_warning, warnings);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_message (parser, options);
  g_mime_parser_options_free (options);
  g_object_unref (parser);
  g_object_unref (stream);
  return message;
}

static GByteArray *
decode_part (GMimePart *part)
{
  GMimeStream *mem = g_mime_stream_mem_new ();
  GByteArray *copy;
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (part), mem);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  copy = g_byte_array_sized_new (array->len);
  g_byte_array_append (copy, array->data, array->len);
  g_object_unref (mem);
  return copy;
}

/* ---- What a message holds ------------------------------------------------------------------ */

typedef struct {
  gboolean alternative;
  gboolean related;
  gboolean attachment;
  gboolean rfc2231_decoded;   /* a non-ASCII file name read back from RFC 2231 */
  gboolean flowed;
  gboolean qp_non_ascii;
  gboolean calendar;
  gboolean forward;
  gboolean png;
  gboolean cid_resolves;      /* a Content-ID the HTML of the same related part refers to */
  GString *html;
  GPtrArray *cids;
} Walk;

static void
walk_part (GMimeObject *parent, GMimeObject *part, gpointer user_data)
{
  Walk *w = user_data;
  GMimeContentType *type = g_mime_object_get_content_type (part);
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);

  if (g_mime_content_type_is_type (type, "multipart", "alternative"))
    w->alternative = TRUE;
  if (g_mime_content_type_is_type (type, "multipart", "related"))
    w->related = TRUE;
  if (GMIME_IS_MESSAGE_PART (part))
    w->forward = TRUE;
  if (!GMIME_IS_PART (part))
    return;

  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    {
      const char *name = g_mime_part_get_filename (GMIME_PART (part));

      w->attachment = TRUE;
      g_assert_nonnull (name);
      g_assert_true (g_utf8_validate (name, -1, NULL));
      g_assert_null (strstr (name, "=?"));
      if (!g_str_is_ascii (name) &&
          (g_mime_content_disposition_get_parameter (disposition, "filename") != NULL))
        {
          /* GMime keeps the decoded value; the raw header tells which encoding it had. */
          const char *raw = g_mime_object_get_header (part, "Content-Disposition");

          if (raw != NULL && strstr (raw, "filename*") != NULL)
            w->rfc2231_decoded = TRUE;
        }
    }

  if (g_mime_content_type_is_type (type, "text", "plain"))
    {
      const char *format = g_mime_content_type_get_parameter (type, "format");

      if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
        w->flowed = TRUE;
      if (g_mime_part_get_content_encoding (GMIME_PART (part)) ==
          GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
        {
          g_autoptr(GByteArray) text = decode_part (GMIME_PART (part));

          for (guint i = 0; i < text->len && !w->qp_non_ascii; i++)
            w->qp_non_ascii = text->data[i] >= 0x80;
        }
    }
  if (g_mime_content_type_is_type (type, "text", "calendar"))
    {
      g_autoptr(GByteArray) ics = decode_part (GMIME_PART (part));

      g_assert_cmpuint (ics->len, >, 15);
      g_assert_cmpmem (ics->data, 15, "BEGIN:VCALENDAR", 15);
      w->calendar = TRUE;
    }
  if (g_mime_content_type_is_type (type, "text", "html"))
    {
      g_autoptr(GByteArray) html = decode_part (GMIME_PART (part));

      g_string_append_len (w->html, (const char *) html->data, html->len);
    }
  if (g_mime_content_type_is_type (type, "image", "png"))
    {
      g_autoptr(GByteArray) png = decode_part (GMIME_PART (part));
      const char *cid = g_mime_object_get_content_id (part);

      g_assert_cmpuint (png->len, >, 57);
      g_assert_cmpmem (png->data, 8, "\x89PNG\r\n\x1a\n", 8);
      g_assert_cmpmem (png->data + png->len - 8, 4, "IEND", 4);
      w->png = TRUE;
      if (cid != NULL)
        g_ptr_array_add (w->cids, g_strdup (cid));
    }
}

typedef struct {
  guint replies;
  guint html_only;
  guint plain_only;
  guint alternative;
  guint attachments;
  guint rfc2231;
  guint ew_b_utf8;
  guint ew_q_utf8;
  guint ew_q_latin1;
  guint raw_8bit;
  guint raw_latin1;
  guint inline_cid;
  guint flowed;
  guint qp_non_ascii;
  guint calendar;
  guint forwards;
  guint lists;
  guint from_owner;
  guint non_latin_names;
  GHashTable *offsets;
} Mix;

static gboolean
has_non_latin (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) >= 0x370)
      return TRUE;
  return FALSE;
}

/* Checks one message of the corpus in depth and counts what it holds. `ids` maps Message-IDs
 * of earlier messages to their index, `references` holds their References. */
static void
check_message (guint index, GHashTable *ids, GPtrArray *references, Mix *mix)
{
  Corpus *c = get_corpus ();
  GBytes *bytes = c->bytes[index];
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize head_len = header_length (bytes);
  Warnings warnings = { 0 };
  GMimeMessage *message;
  GMimeObject *body;
  InternetAddressList *from, *to, *cc;
  GDateTime *date;
  const char *subject;
  const char *in_reply_to;
  const char *id;
  g_autofree char *expected_id = NULL;
  GPtrArray *refs = g_ptr_array_new_with_free_func (g_free);
  Walk walk = { 0 };
  gboolean raw_8bit;

  /* Lines: LF only, at most 998 octets; no white-space-only line in the header. */
  {
    const char *line = data;
    const char *end = data + len;

    g_assert_true (len > 0 && data[len - 1] == '\n');
    g_assert_null (memchr (data, '\r', len));
    while (line < end)
      {
        const char *nl = memchr (line, '\n', (gsize) (end - line));

        g_assert_nonnull (nl);
        g_assert_cmpint (nl - line, <=, 998);
        if (line < data + head_len && nl > line)
          g_assert_cmpuint (strspn (line, " \t"), <, (gsize) (nl - line));
        line = nl + 1;
      }
  }

  message = parse (bytes, &warnings);
  g_assert_nonnull (message);
  raw_8bit = FALSE;
  for (gsize i = 0; i < head_len && !raw_8bit; i++)
    raw_8bit = (guchar) data[i] >= 0x80;
  if (warnings.warnings > 0)
    g_error ("message %u: GMime: %s", index, warnings.first);
  /* GMime notices raw ISO-8859-1 header text (raw UTF-8 is legal since RFC 6532), and only
   * where the corpus meant to put it. */
  if (!raw_8bit)
    g_assert_cmpuint (warnings.unencoded_8bit, ==, 0);
  else if (!g_utf8_validate (data, (gssize) head_len, NULL))
    g_assert_cmpuint (warnings.unencoded_8bit, >, 0);

  /* The headers every message has. */
  id = g_mime_message_get_message_id (message);
  g_assert_nonnull (id);
  expected_id = heron_seed_message_id (&corpus_spec, index);
  g_assert_cmpstr (id, ==, expected_id);
  g_assert_false (g_hash_table_contains (ids, id));
  g_hash_table_insert (ids, g_strdup (id), GUINT_TO_POINTER (index));

  date = g_mime_message_get_date (message);
  g_assert_nonnull (date);
  g_assert_cmpint (g_date_time_to_unix (date), ==, c->dates[index]);
  g_hash_table_add (mix->offsets,
                    GINT_TO_POINTER ((gint) (g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE)));

  from = g_mime_message_get_from (message);
  to = g_mime_message_get_to (message);
  cc = g_mime_message_get_cc (message);
  g_assert_nonnull (from);
  g_assert_cmpint (internet_address_list_length (from), ==, 1);
  g_assert_nonnull (to);
  g_assert_cmpint (internet_address_list_length (to), >=, 1);
  subject = g_mime_message_get_subject (message);
  g_assert_nonnull (subject);
  g_assert_cmpuint (strlen (subject), >, 0);
  g_assert_true (g_utf8_validate (subject, -1, NULL));
  g_assert_null (strstr (subject, "=?"));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version"), ==, "1.0");

  if (list_has (from, OWNER))
    mix->from_owner++;
  else
    g_assert_true (list_has (to, OWNER) || list_has (cc, OWNER));
  {
    const char *name = internet_address_get_name (internet_address_list_get_address (from, 0));

    if (name != NULL)
      {
        g_assert_true (g_utf8_validate (name, -1, NULL));
        g_assert_null (strstr (name, "=?"));
        if (has_non_latin (name))
          mix->non_latin_names++;
      }
  }

  /* Threads: the parent is an earlier message, and References is the parent's plus the
   * parent itself. */
  {
    const char *raw_refs = g_mime_object_get_header (GMIME_OBJECT (message), "References");

    if (raw_refs != NULL)
      {
        GMimeReferences *parsed = g_mime_references_parse (NULL, raw_refs);

        for (int i = 0; i < g_mime_references_length (parsed); i++)
          g_ptr_array_add (refs, g_strdup (g_mime_references_get_message_id (parsed, i)));
        g_mime_references_free (parsed);
      }
  }
  in_reply_to = g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To");
  if (in_reply_to != NULL)
    {
      g_autofree char *parent_id = strip_angles (in_reply_to);
      gpointer value;
      guint parent;
      GPtrArray *parent_refs;

      g_assert_true (g_hash_table_lookup_extended (ids, parent_id, NULL, &value));
      parent = GPOINTER_TO_UINT (value);
      g_assert_cmpuint (parent, <, index);
      parent_refs = g_ptr_array_index (references, parent);
      g_assert_cmpuint (refs->len, ==, parent_refs->len + 1);
      for (guint i = 0; i < parent_refs->len; i++)
        g_assert_cmpstr (g_ptr_array_index (refs, i), ==, g_ptr_array_index (parent_refs, i));
      g_assert_cmpstr (g_ptr_array_index (refs, refs->len - 1), ==, parent_id);
      mix->replies++;
    }
  else
    g_assert_cmpuint (refs->len, ==, 0);
  g_ptr_array_add (references, refs);

  /* What the body is made of. */
  body = g_mime_message_get_mime_part (message);
  g_assert_nonnull (body);
  if (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "text", "html"))
    mix->html_only++;
  if (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "text", "plain"))
    mix->plain_only++;

  walk.html = g_string_new (NULL);
  walk.cids = g_ptr_array_new_with_free_func (g_free);
  g_mime_message_foreach (message, walk_part, &walk);
  for (guint i = 0; i < walk.cids->len; i++)
    {
      g_autofree char *ref = g_strconcat ("cid:", (char *) g_ptr_array_index (walk.cids, i), NULL);

      if (strstr (walk.html->str, ref) != NULL)
        walk.cid_resolves = TRUE;
    }
  mix->alternative += walk.alternative;
  mix->attachments += walk.attachment;
  mix->rfc2231 += walk.rfc2231_decoded;
  mix->inline_cid += walk.related && walk.cid_resolves;
  mix->flowed += walk.flowed;
  mix->qp_non_ascii += walk.qp_non_ascii;
  mix->calendar += walk.calendar;
  mix->forwards += walk.forward;
  g_string_free (walk.html, TRUE);
  g_ptr_array_unref (walk.cids);

  /* How the header is encoded. */
  {
    g_autofree char *head = g_strndup (data, head_len);

    mix->ew_b_utf8 += strstr (head, "=?UTF-8?B?") != NULL;
    mix->ew_q_utf8 += strstr (head, "=?UTF-8?Q?") != NULL;
    mix->ew_q_latin1 += strstr (head, "=?ISO-8859-1?Q?") != NULL;
    mix->raw_8bit += raw_8bit;
    mix->raw_latin1 += raw_8bit && !g_utf8_validate (head, -1, NULL);
  }
  if (g_mime_object_get_header (GMIME_OBJECT (message), "List-Id") != NULL)
    mix->lists++;

  g_object_unref (message);
}

static Mix *mix_result;

static void
free_mix (void)
{
  if (mix_result == NULL)
    return;
  g_hash_table_unref (mix_result->offsets);
  g_clear_pointer (&mix_result, g_free);
}

/* Parses and checks the whole corpus once; the tests read the counts. */
static Mix *
get_mix (void)
{
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GPtrArray) references = NULL;

  if (mix_result != NULL)
    return mix_result;

  mix_result = g_new0 (Mix, 1);
  mix_result->offsets = g_hash_table_new (g_direct_hash, g_direct_equal);
  ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  references = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < CORPUS_SIZE; i++)
    check_message (i, ids, references, mix_result);
  return mix_result;
}

/* ---- Tests ---------------------------------------------------------------------------------- */

static void
test_deterministic (void)
{
  static const guint indexes[] = { 0, 1, 17, 999, 1500, 1999 };
  Corpus *c = get_corpus ();
  HeronSeedSpec other_seed = corpus_spec;
  HeronSeedSpec later_range = corpus_spec;
  HeronSeedSpec other_owner = corpus_spec;
  HeronSeedSpec other_newest = corpus_spec;

  other_seed.seed = CORPUS_SEED + 1;
  /* Same last index, so the same date rule: the messages must not change. */
  later_range.first_index = 1000;
  later_range.count = CORPUS_SIZE - 1000;
  other_owner.owner_address = "bob@example.test";
  other_newest.newest_date = 1700000000;

  for (guint k = 0; k < G_N_ELEMENTS (indexes); k++)
    {
      guint i = indexes[k];
      gint64 date;
      g_autofree char *flags = NULL;
      g_autoptr(GBytes) again = heron_seed_generate (&corpus_spec, i, &date, &flags);
      g_autoptr(GBytes) seeded = heron_seed_generate (&other_seed, i, NULL, NULL);
      g_autoptr(GBytes) owned = heron_seed_generate (&other_owner, i, NULL, NULL);
      g_autoptr(GBytes) shifted = NULL;
      gint64 shifted_date;

      /* Alone, or made among all the others: the same bytes. */
      g_assert_true (g_bytes_equal (again, c->bytes[i]));
      g_assert_cmpint (date, ==, c->dates[i]);
      g_assert_cmpstr (flags, ==, c->flags[i]);
      g_assert_cmpint (heron_seed_date (&corpus_spec, i), ==, date);
      g_assert_false (g_bytes_equal (seeded, c->bytes[i]));
      g_assert_false (g_bytes_equal (owned, c->bytes[i]));
      g_assert_true (bytes_contain (owned, "bob@example.test"));

      if (i >= later_range.first_index)
        {
          g_autoptr(GBytes) ranged = heron_seed_generate (&later_range, i, NULL, NULL);

          g_assert_true (g_bytes_equal (ranged, c->bytes[i]));
        }

      /* Another newest date moves every date by the same amount. */
      shifted = heron_seed_generate (&other_newest, i, &shifted_date, NULL);
      g_assert_cmpint (shifted_date - 1700000000, ==,
                       c->dates[i] - HERON_SEED_DEFAULT_NEWEST_DATE);
    }
  g_assert_cmpint (c->dates[CORPUS_SIZE - 1], ==, HERON_SEED_DEFAULT_NEWEST_DATE);
}

static void
test_parse (void)
{
  Mix *mix = get_mix ();

  /* check_message() asserted everything per message; here only that it saw them all. */
  g_assert_cmpuint (mix->plain_only + mix->html_only, <=, CORPUS_SIZE);
  g_assert_cmpuint (g_hash_table_size (mix->offsets), >=, 6);
}

#define ASSERT_SHARE(what, count, lo_per_mille, hi_per_mille)                                    \
  G_STMT_START {                                                                                \
    g_test_message ("%-26s %5u of %u (%.1f%%)", what, count, CORPUS_SIZE,                       \
                    100.0 * (count) / CORPUS_SIZE);                                             \
    g_assert_cmpuint ((count) * 1000, >=, (guint) (lo_per_mille) * CORPUS_SIZE);                \
    g_assert_cmpuint ((count) * 1000, <=, (guint) (hi_per_mille) * CORPUS_SIZE);                \
  } G_STMT_END

static void
test_mix (void)
{
  Mix *mix = get_mix ();

  ASSERT_SHARE ("replies in threads", mix->replies, 250, 550);
  ASSERT_SHARE ("text/plain only", mix->plain_only, 200, 600);
  ASSERT_SHARE ("text/html only", mix->html_only, 20, 150);
  ASSERT_SHARE ("multipart/alternative", mix->alternative, 250, 650);
  ASSERT_SHARE ("with attachments", mix->attachments, 50, 200);
  ASSERT_SHARE ("RFC 2231 file names", mix->rfc2231, 3, 80);
  ASSERT_SHARE ("inline cid: images", mix->inline_cid, 10, 100);
  ASSERT_SHARE ("message/rfc822 forwards", mix->forwards, 3, 60);
  ASSERT_SHARE ("calendar invitations", mix->calendar, 2, 60);
  ASSERT_SHARE ("format=flowed", mix->flowed, 50, 400);
  ASSERT_SHARE ("quoted-printable non-ASCII", mix->qp_non_ascii, 50, 500);
  ASSERT_SHARE ("encoded words UTF-8 B", mix->ew_b_utf8, 50, 500);
  ASSERT_SHARE ("encoded words UTF-8 Q", mix->ew_q_utf8, 50, 500);
  ASSERT_SHARE ("encoded words ISO-8859-1 Q", mix->ew_q_latin1, 5, 200);
  ASSERT_SHARE ("raw 8-bit headers", mix->raw_8bit, 3, 60);
  ASSERT_SHARE ("raw ISO-8859-1 headers", mix->raw_latin1, 1, 40);
  ASSERT_SHARE ("mailing lists", mix->lists, 50, 300);
  ASSERT_SHARE ("sent by the owner", mix->from_owner, 50, 300);
  ASSERT_SHARE ("non-Latin sender names", mix->non_latin_names, 50, 400);
  g_test_message ("%u time zones", g_hash_table_size (mix->offsets));
}

static int
compare_sizes (gconstpointer a, gconstpointer b)
{
  gsize x = *(const gsize *) a, y = *(const gsize *) b;

  return x < y ? -1 : x > y;
}

static void
test_sizes (void)
{
  Corpus *c = get_corpus ();
  gsize sizes[CORPUS_SIZE];
  guint under_50k = 0;

  for (guint i = 0; i < CORPUS_SIZE; i++)
    {
      sizes[i] = g_bytes_get_size (c->bytes[i]);
      under_50k += sizes[i] < 50 * 1024;
    }
  qsort (sizes, CORPUS_SIZE, sizeof sizes[0], compare_sizes);
  g_test_message ("median %" G_GSIZE_FORMAT " bytes, largest %" G_GSIZE_FORMAT ", %u under 50 KiB",
                  sizes[CORPUS_SIZE / 2], sizes[CORPUS_SIZE - 1], under_50k);
  g_assert_cmpuint (sizes[CORPUS_SIZE / 2], >=, 4 * 1024);
  g_assert_cmpuint (sizes[CORPUS_SIZE / 2], <=, 16 * 1024);
  g_assert_cmpuint (under_50k * 100, >=, 85 * CORPUS_SIZE);
  g_assert_cmpuint (sizes[CORPUS_SIZE - 1], >=, 200 * 1024);
  g_assert_cmpuint (sizes[CORPUS_SIZE - 1], <=, 4 * 1024 * 1024);
}

static int
compare_gaps (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_dates (void)
{
  Corpus *c = get_corpus ();
  gint64 gaps[CORPUS_SIZE - 1];
  guint bursts = 0, quiet = 0;

  for (guint i = 1; i < CORPUS_SIZE; i++)
    {
      gaps[i - 1] = c->dates[i] - c->dates[i - 1];
      g_assert_cmpint (gaps[i - 1], >=, 1);
      bursts += gaps[i - 1] < 5 * 60;
      quiet += gaps[i - 1] > 2 * 3600;
    }
  qsort (gaps, CORPUS_SIZE - 1, sizeof gaps[0], compare_gaps);
  g_test_message ("median gap %" G_GINT64_FORMAT " s, %u under 5 min, %u over 2 h",
                  gaps[CORPUS_SIZE / 2], bursts, quiet);
  g_assert_cmpint (gaps[CORPUS_SIZE / 2], >=, 5 * 60);
  g_assert_cmpint (gaps[CORPUS_SIZE / 2], <=, 90 * 60);
  g_assert_cmpuint (bursts * 100, >=, 5 * CORPUS_SIZE);
  g_assert_cmpuint (quiet * 100, >=, 2 * CORPUS_SIZE);
}

static void
test_flags (void)
{
  Corpus *c = get_corpus ();
  guint newest_unseen = 0, old_seen = 0, old = 0, flagged = 0, answered = 0;

  for (guint i = 0; i < CORPUS_SIZE; i++)
    {
      const char *f = c->flags[i];
      guint rank = CORPUS_SIZE - 1 - i;

      /* Maildir wants the letters in ASCII order. */
      g_assert_cmpuint (strspn (f, "FRS"), ==, strlen (f));
      for (const char *p = f; p[0] != '\0' && p[1] != '\0'; p++)
        g_assert_cmpint (p[0], <, p[1]);
      if (rank < 30)
        newest_unseen += strchr (f, 'S') == NULL;
      else if (rank >= 300)
        {
          old++;
          old_seen += strchr (f, 'S') != NULL;
        }
      flagged += strchr (f, 'F') != NULL;
      answered += strchr (f, 'R') != NULL;
    }
  g_test_message ("%u of the 30 newest unseen, %u of %u old seen, %u flagged, %u answered",
                  newest_unseen, old_seen, old, flagged, answered);
  g_assert_cmpuint (newest_unseen, >=, 12);
  g_assert_cmpuint (old_seen * 100, >=, old * 95);
  g_assert_cmpuint (flagged * 100, >=, 1 * CORPUS_SIZE);
  g_assert_cmpuint (answered * 100, >=, 3 * CORPUS_SIZE);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_names (const char *dir_path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static void
test_maildir (void)
{
  static const HeronSeedSpec spec = { 7, 100, 300, 1600000000, "owner@example.test" };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("heron-seed-XXXXXX", &error);
  g_autofree char *maildir = NULL;
  g_autofree char *chunked = NULL;
  g_autofree char *cur = NULL;
  g_autofree char *chunked_cur = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) chunked_names = NULL;
  g_autoptr(GRegex) pattern = NULL;
  gint64 last_time = 0;
  guint64 bytes = 0;

  g_assert_no_error (error);
  maildir = g_build_filename (root, "Maildir", NULL);
  chunked = g_build_filename (root, "Chunked", NULL);
  cur = g_build_filename (maildir, "cur", NULL);
  chunked_cur = g_build_filename (chunked, "cur", NULL);

  g_assert_true (heron_seed_write_maildir (maildir, &spec, &error));
  g_assert_no_error (error);

  /* The same corpus written as two chunks, the later one first. */
  g_assert_true (heron_seed_write_maildir_range (chunked, &spec, 250, 150, &bytes, &error));
  g_assert_no_error (error);
  g_assert_true (heron_seed_write_maildir_range (chunked, &spec, 100, 150, &bytes, &error));
  g_assert_no_error (error);

  names = sorted_names (cur);
  chunked_names = sorted_names (chunked_cur);
  g_assert_cmpuint (names->len, ==, spec.count);
  g_assert_cmpuint (chunked_names->len, ==, spec.count);
  for (const char *sub = "new"; sub != NULL; sub = g_str_equal (sub, "new") ? "tmp" : NULL)
    {
      g_autofree char *path = g_build_filename (maildir, sub, NULL);
      g_autoptr(GPtrArray) left = sorted_names (path);

      g_assert_cmpuint (left->len, ==, 0);
    }

  pattern = g_regex_new ("^([0-9]+)\\.M([0-9]{6})P([0-9]+)\\.heron,S=([0-9]+),W=([0-9]+):2,([A-Z]*)$",
                         0, 0, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < names->len; k++)
    {
      const char *name = g_ptr_array_index (names, k);
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *time_text = NULL, *index_text = NULL, *size_text = NULL;
      g_autofree char *wsize_text = NULL, *flags = NULL, *expected_flags = NULL;
      g_autofree char *path = g_build_filename (cur, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) expected = NULL;
      gsize length;
      gint64 time, date;
      guint index;
      gsize lines = 0;
      GStatBuf st;

      /* Sorted by name is sorted by time is sorted by index: Dovecot's UIDs follow dates. */
      g_assert_true (g_regex_match (pattern, name, 0, &match));
      time_text = g_match_info_fetch (match, 1);
      index_text = g_match_info_fetch (match, 3);
      size_text = g_match_info_fetch (match, 4);
      wsize_text = g_match_info_fetch (match, 5);
      flags = g_match_info_fetch (match, 6);
      time = g_ascii_strtoll (time_text, NULL, 10);
      index = (guint) g_ascii_strtoull (index_text, NULL, 10);
      g_assert_cmpuint (index, ==, spec.first_index + k);
      g_assert_cmpint (time, >, last_time);
      last_time = time;

      g_assert_cmpstr (name, ==, g_ptr_array_index (chunked_names, k));

      g_assert_true (g_file_get_contents (path, &contents, &length, &error));
      g_assert_no_error (error);
      expected = heron_seed_generate (&spec, index, &date, &expected_flags);
      g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL),
                       g_bytes_get_size (expected));
      g_assert_cmpint (time, ==, date);
      g_assert_cmpstr (flags, ==, expected_flags);
      g_assert_cmpuint (g_ascii_strtoull (size_text, NULL, 10), ==, length);
      for (gsize i = 0; i < length; i++)
        lines += contents[i] == '\n';
      g_assert_cmpuint (g_ascii_strtoull (wsize_text, NULL, 10), ==, length + lines);

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mtime, ==, date);
      g_assert_cmpuint ((guint64) st.st_size, ==, length);
    }
  g_assert_cmpint (last_time, ==, spec.newest_date);

  remove_tree (root);
}

static void
test_maildir_error (void)
{
  static const HeronSeedSpec spec = { 1, 0, 3, 0, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("heron-seed-XXXXXX", &error);
  g_autofree char *file = NULL;
  g_autofree char *maildir = NULL;

  g_assert_no_error (error);
  file = g_build_filename (root, "a-file", NULL);
  g_assert_true (g_file_set_contents (file, "not a folder\n", -1, &error));
  g_assert_no_error (error);

  /* A path through a plain file cannot become a folder, even for root. */
  maildir = g_build_filename (file, "Maildir", NULL);
  g_assert_false (heron_seed_write_maildir (maildir, &spec, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_nonnull (strstr (error->message, maildir));
  g_clear_error (&error);

  /* A folder without write permission, where permissions apply. */
  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (root, "locked", NULL);
      g_autofree char *inside = g_build_filename (locked, "Maildir", NULL);

      g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
      g_assert_false (heron_seed_write_maildir (inside, &spec, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, inside));
      g_clear_error (&error);
      g_chmod (locked, 0700);
    }

  remove_tree (root);
}

static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("heron-seed-XXXXXX", &error);
  g_autofree char *file = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *good = NULL;
  g_autofree char *good_cur = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) names = NULL;
  int status;
  Corpus *c = get_corpus ();

  g_assert_no_error (error);
  file = g_build_filename (root, "a-file", NULL);
  g_assert_true (g_file_set_contents (file, "x", -1, &error));
  g_assert_no_error (error);
  bad = g_build_filename (file, "Maildir", NULL);
  good = g_build_filename (root, "Maildir", NULL);
  good_cur = g_build_filename (good, "cur", NULL);

  /* An unwritable folder: a clear message and exit status 1. */
  {
    const char *argv[] = { HERON_SEED_TOOL, "--maildir", bad, "--count", "3", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                                 &err, &status, &error));
    g_assert_no_error (error);
    g_assert_false (g_spawn_check_wait_status (status, &error));
    g_assert_error (error, G_SPAWN_EXIT_ERROR, 1);
    g_assert_nonnull (strstr (err, bad));
    g_clear_error (&error);
    g_clear_pointer (&err, g_free);
  }

  /* --print gives the bytes heron_seed_generate() gives. */
  {
    const char *argv[] = { HERON_SEED_TOOL, "--print", "5", "--seed", "42", "--count", "2000",
                           "--owner", OWNER, NULL };
    g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_autoptr(GBytes) printed = NULL;

    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate (proc, NULL, NULL, &printed, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (proc));
    g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
    g_assert_true (g_bytes_equal (printed, c->bytes[5]));
  }

  /* --maildir with threads writes every message. */
  {
    const char *argv[] = { HERON_SEED_TOOL, "--maildir", good, "--count", "40", "--jobs", "3",
                           "--quiet", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, &error));
    g_assert_no_error (error);
    names = sorted_names (good_cur);
    g_assert_cmpuint (names->len, ==, 40);
  }

  remove_tree (root);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/heron/servers/seed/deterministic", test_deterministic);
  g_test_add_func ("/heron/servers/seed/parse", test_parse);
  g_test_add_func ("/heron/servers/seed/mix", test_mix);
  g_test_add_func ("/heron/servers/seed/sizes", test_sizes);
  g_test_add_func ("/heron/servers/seed/dates", test_dates);
  g_test_add_func ("/heron/servers/seed/flags", test_flags);
  g_test_add_func ("/heron/servers/seed/maildir", test_maildir);
  g_test_add_func ("/heron/servers/seed/maildir-error", test_maildir_error);
  g_test_add_func ("/heron/servers/seed/cli", test_cli);

  status = g_test_run ();

  free_mix ();
  free_corpus ();
  g_mime_shutdown ();
  return status;
}

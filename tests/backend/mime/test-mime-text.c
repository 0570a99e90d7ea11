/* test-mime-text.c: HTML to text (libxml2) and format=flowed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mime/heron-mime.h"

typedef struct {
  const char *in;
  const char *out;
} Case;

static void
test_html_to_text (void)
{
  static const Case cases[] = {
    { "", "" },
    { "plain words", "plain words" },
    { "<p>One</p><p>Two</p>", "One\n\nTwo" },
    { "<div>One</div><div>Two</div>", "One\nTwo" },
    { "a<br>b<br><br>c", "a\nb\n\nc" },
    { "  lots   of\n\n white\tspace  ", "lots of white space" },
    { "<ul><li>a</li><li>b</li></ul>", "• a\n• b" },
    { "<ol start=\"3\"><li>c</li><li>d</li></ol>", "3. c\n4. d" },
    { "<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>", "• a\n  • a1\n• b" },
    { "<a href=\"https://example.test/x\">link</a>", "link <https://example.test/x>" },
    { "<a href=\"https://example.test/\">https://example.test</a>", "https://example.test" },
    { "<a href=\"mailto:a@example.test\">a@example.test</a>", "a@example.test" },
    { "<a href=\"javascript:alert(1)\">click</a>", "click" },
    { "<a href=\"https://example.test/i\"><img src=\"x.png\"></a>", "<https://example.test/i>" },
    { "<pre>  keep\n    this</pre>", "  keep\n    this" },
    { "<blockquote><p>quoted</p><p>more</p></blockquote>after", "> quoted\n>\n> more\n\nafter" },
    { "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n>\n>> b" },
    { "<head><title>t</title><style>x{}</style></head><body>b<script>s()</script></body>", "b" },
    { "<p style=\"display: none\">hidden</p><p hidden>also</p>shown", "shown" },
    { "&lt;&amp;&gt; &eacute; &#8364; &nbsp;x", "<&> é € x" },
    { "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d" },
    { "<h1>Title</h1>text<hr>end", "Title\n\ntext\n\n----------\n\nend" },
    { "a&zwnj;b&#8203;c", "abc" },
    { "<p>unclosed <b>bold <i>both", "unclosed bold both" },
    { "</p></div>stray closers<p>", "stray closers" },
    { "<!-- comment -->x<?pi?>", "x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = heron_mime_html_to_text (cases[i].in, -1, 0);

      g_test_message ("case %u: %s", i, cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_html_limits (void)
{
  GString *deep = g_string_new (NULL);
  GString *wide = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "<div><blockquote><ul><li>");
  g_string_append (deep, "bottom");
  out = heron_mime_html_to_text (deep->str, deep->len, 0);
  g_assert_nonnull (out);

  for (guint i = 0; i < 200000; i++)
    g_string_append (wide, "<p>paragraph of text</p>");
  out2 = heron_mime_html_to_text (wide->str, wide->len, 1000);
  g_assert_cmpuint (strlen (out2), <=, 1000);
  g_assert_true (g_str_has_prefix (out2, "paragraph of text\n\nparagraph"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);
  g_string_free (deep, TRUE);
  g_string_free (wide, TRUE);
}

static void
test_flowed_decode (void)
{
  static const Case cases[] = {
    { "one \ntwo\n", "one two\n" },
    { "one\ntwo\n", "one\ntwo\n" },
    { " From here\n", "From here\n" },
    { "  stuffed space\n", " stuffed space\n" },
    { "> quoted \n> text\n>> deeper\n", "> quoted text\n>> deeper\n" },
    { "> soft \n>> level change\n", "> soft \n>> level change\n" },
    { "text \n-- \nsig\n", "text -- \nsig\n" },
    { "-- \nsig\n", "-- \nsig\n" },
    { "no newline at end", "no newline at end" },
    { "crlf \r\nline\r\n", "crlf line\n" },
    { ">\n", ">\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = heron_mime_flowed_decode (cases[i].in, FALSE);

      g_test_message ("case %u", i);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
  {
    g_autofree char *out = heron_mime_flowed_decode ("Donau\xc2\xad \ndampf \nschiff\n", TRUE);

    g_assert_cmpstr (out, ==, "Donau\xc2\xad" "dampfschiff\n");
  }
}

static void
test_flowed_encode (void)
{
  static const char * const texts[] = {
    "short line\n",
    "A long paragraph that certainly goes past the seventy-two character limit of format=flowed lines and then some more words to wrap twice over.\n",
    "From the start\n Leading space\n> not a quote for the user\n",
    ">> already quoted text that is long enough to need wrapping at the width limit, really it is\n> one level\n",
    "trailing spaces   \n-- \nSignature\n",
    "Unicode: Grüße, Привет, 日本語のテキストはスペースがありません日本語のテキストはスペースがありません日本語のテキストはスペースがありません\n",
    "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword and more\n",
    "two  spaces  between  words  in a line that is long enough to be wrapped somewhere in the middle ok\n",
    "\n\nblank lines\n\n",
    "no final newline",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *encoded = heron_mime_flowed_encode (texts[i], 0);
      g_autofree char *decoded = heron_mime_flowed_decode (encoded, FALSE);
      g_auto(GStrv) lines = g_strsplit (encoded, "\n", -1);
      g_autoptr(GString) expected = g_string_new (NULL);
      g_auto(GStrv) in_lines = g_strsplit (texts[i], "\n", -1);

      g_test_message ("case %u:\n%s", i, encoded);
      /* lines stay within the width unless a word is longer */
      for (guint j = 0; lines[j] != NULL; j++)
        if (strstr (texts[i], "averyvery") == NULL && strstr (texts[i], "日本語") == NULL)
          g_assert_cmpint (g_utf8_strlen (lines[j], -1), <=, HERON_MIME_FLOWED_WIDTH + 1);
      /* decoding gives back the input, trailing spaces of hard lines removed, quotes normalised */
      for (guint j = 0; in_lines[j] != NULL; j++)
        {
          g_autofree char *line = g_strdup (in_lines[j]);

          if (strcmp (line, "-- ") != 0)
            g_strchomp (line);
          if (line[0] == '>')
            {
              guint depth = 0;
              const char *rest = line;

              while (*rest == '>')
                {
                  depth++;
                  rest++;
                }
              if (*rest == ' ')
                rest++;
              for (guint k = 0; k < depth; k++)
                g_string_append_c (expected, '>');
              if (*rest != '\0')
                g_string_append_printf (expected, " %s", rest);
            }
          else
            g_string_append (expected, line);
          if (in_lines[j + 1] != NULL)
            g_string_append_c (expected, '\n');
        }
      g_assert_cmpstr (decoded, ==, expected->str);
    }
}

static void
test_flowed_width (void)
{
  g_autofree char *encoded = heron_mime_flowed_encode ("word word word word word word word word word word word word word word word word word\n", 30);
  g_auto(GStrv) lines = g_strsplit (encoded, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpint (strlen (lines[i]), <=, 30);
  g_assert_cmpuint (g_strv_length (lines), >, 3);
  /* soft breaks end in a space, the last line does not */
  g_assert_true (g_str_has_suffix (lines[0], " "));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  heron_mime_init ();
  g_test_add_func ("/heron/mime/html/to-text", test_html_to_text);
  g_test_add_func ("/heron/mime/html/limits", test_html_limits);
  g_test_add_func ("/heron/mime/flowed/decode", test_flowed_decode);
  g_test_add_func ("/heron/mime/flowed/encode-round-trip", test_flowed_encode);
  g_test_add_func ("/heron/mime/flowed/width", test_flowed_width);
  ret = g_test_run ();
  heron_mime_shutdown ();
  return ret;
}

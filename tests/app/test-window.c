/* test-window.c: the real HeronApplication under Xvfb opens its window with the empty state,
 * and the window is saved as a screenshot.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "heron-application-private.h"
#include "heron-window.h"

/* Whether the environment chose a renderer as the test started (before any application chose
 * for it): then the application leaves it alone. */
static gboolean renderer_chosen_outside;

/* Renders a widget the way it is on screen and saves it as a PNG in HERON_TEST_SCREENSHOT_DIR.
 * Returns the texture so a test can look at its pixels. */
static GdkTexture *
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *path = NULL;
  const char *dir = g_getenv ("HERON_TEST_SCREENSHOT_DIR");
  GskRenderer *renderer;
  GdkTexture *texture;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_nonnull (dir);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);

  return texture;
}

/* A rendered window is more than one flat colour: the header bar, icon and text are drawn. */
static guint
count_distinct_colours (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y += 2)
    for (int x = 0; x < width; x += 2)
      {
        guint32 pixel;

        memcpy (&pixel, pixels + y * stride + x * 4, sizeof pixel);
        g_hash_table_add (colours, GUINT_TO_POINTER (pixel));
      }
  return g_hash_table_size (colours);
}

static GtkWidget *
find_child_of_type (GtkWidget *root,
                    GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  gboolean checked;
} WindowTest;

static void
on_activate_check_window (GApplication *app,
                          WindowTest   *test)
{
  g_autoptr(GdkTexture) texture = NULL;
  GtkWindow *window;
  GtkWidget *status;

  /* The application's own activate handler ran first and presented the window. */
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);
  g_assert_true (HERON_IS_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Heron");

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  /* Without a GPU render node (as under Xvfb here) the window paints with cairo, not with the
   * software GL; with one, GL is left to GTK. (Only GSK_RENDERER shows here: gtk_test_init()
   * opened the display, which reads GDK_DEBUG, before the application chose; main() and the
   * benchmark choose first.) */
  if (!renderer_chosen_outside)
    {
      GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
      g_autoptr(GDir) dri = g_dir_open ("/dev/dri", 0, NULL);
      gboolean gpu = FALSE;
      const char *name;

      while (dri != NULL && (name = g_dir_read_name (dri)) != NULL)
        gpu = gpu || g_str_has_prefix (name, "renderD");
      g_test_message ("renderer %s, GPU render node: %s", G_OBJECT_TYPE_NAME (renderer),
                      gpu ? "yes" : "no");
      if (gpu)
        g_assert_null (g_getenv ("GSK_RENDERER"));
      else
        g_assert_cmpstr (G_OBJECT_TYPE_NAME (renderer), ==, "GskCairoRenderer");
    }

  /* The empty state tells the person what will appear. */
  status = find_child_of_type (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status);
  g_assert_true (gtk_widget_is_drawable (status));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Mail Accounts");
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==,
                   HERON_APP_ID "-symbolic");
  /* The icon comes from the application's resources: it is found without being installed. */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (status)),
                                          HERON_APP_ID "-symbolic"));

  texture = save_screenshot (GTK_WIDGET (window), "main-window-empty.png");
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 360);
  g_assert_cmpuint (count_distinct_colours (texture), >, 8);

  /* The actions the menu and the shortcuts window offer exist. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));

  test->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_window_empty_state (void)
{
  g_autoptr(HeronApplication) app = heron_application_new ();
  WindowTest test = { FALSE };
  char *argv[] = { (char *) "test-window", NULL };
  int status;

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_check_window), &test);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (test.checked);
}

/* The window remembers its size in the settings when it closes. */
static void
on_activate_resize_and_close (GApplication *app,
                              WindowTest   *test)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GSettings *settings = heron_application_get_settings (HERON_APPLICATION (app));

  g_assert_nonnull (settings);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  gtk_window_set_default_size (window, 900, 640);
  gtk_window_close (window);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  test->checked = TRUE;
}

static void
test_window_saves_size (void)
{
  g_autoptr(HeronApplication) app = heron_application_new ();
  WindowTest test = { FALSE };
  char *argv[] = { (char *) "test-window", NULL };

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_resize_and_close), &test);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (test.checked);
}

/* The renderer choice: GL stays on with a render node or when the person chose (either
 * variable set); without a node, or without /dev/dri at all, GL is left off. */
static void
test_renderer_choice (void)
{
  g_autofree char *saved_debug = g_strdup (g_getenv ("GDK_DEBUG"));
  g_autofree char *saved_renderer = g_strdup (g_getenv ("GSK_RENDERER"));
  g_autofree char *saved_disable = g_strdup (g_getenv ("GDK_DISABLE"));
  g_autofree char *dir = g_dir_make_tmp ("heron-dri-XXXXXX", NULL);
  g_autofree char *node = g_build_filename (dir, "renderD128", NULL);
  g_autofree char *card = g_build_filename (dir, "card0", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);

  g_assert_nonnull (dir);
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("GSK_RENDERER");
  g_unsetenv ("GDK_DISABLE");

  /* a display card without a render node: off (GDK_DEBUG up to GTK 4.14, GDK_DISABLE after) */
  g_assert_true (g_file_set_contents (card, "", 0, NULL));
  _heron_application_choose_renderer (dir);
  if (gtk_get_minor_version () < 16)
    {
      g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "gl-disable");
      g_assert_null (g_getenv ("GDK_DISABLE"));
    }
  else
    {
      g_assert_cmpstr (g_getenv ("GDK_DISABLE"), ==, "gl");
      g_assert_null (g_getenv ("GDK_DEBUG"));
    }
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("GDK_DISABLE");
  g_unsetenv ("GSK_RENDERER");

  /* no /dev/dri at all: off */
  _heron_application_choose_renderer (missing);
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("GDK_DISABLE");
  g_unsetenv ("GSK_RENDERER");

  /* the person chose a renderer, or set GDK_DEBUG: nothing changes */
  g_setenv ("GSK_RENDERER", "gl", TRUE);
  _heron_application_choose_renderer (dir);
  g_assert_null (g_getenv ("GDK_DEBUG"));
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  g_unsetenv ("GSK_RENDERER");
  g_setenv ("GDK_DEBUG", "interactive", TRUE);
  _heron_application_choose_renderer (dir);
  g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "interactive");
  g_assert_null (g_getenv ("GSK_RENDERER"));
  g_unsetenv ("GDK_DEBUG");
  g_setenv ("GDK_DISABLE", "vulkan", TRUE);
  _heron_application_choose_renderer (dir);
  g_assert_null (g_getenv ("GDK_DEBUG"));
  g_assert_null (g_getenv ("GSK_RENDERER"));
  g_unsetenv ("GDK_DISABLE");

  /* a render node: GL stays on */
  g_assert_true (g_file_set_contents (node, "", 0, NULL));
  _heron_application_choose_renderer (dir);
  g_assert_null (g_getenv ("GDK_DEBUG"));
  g_assert_null (g_getenv ("GSK_RENDERER"));

  g_assert_cmpint (g_remove (node), ==, 0);
  g_assert_cmpint (g_remove (card), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  if (saved_debug != NULL)
    g_setenv ("GDK_DEBUG", saved_debug, TRUE);
  if (saved_renderer != NULL)
    g_setenv ("GSK_RENDERER", saved_renderer, TRUE);
  if (saved_disable != NULL)
    g_setenv ("GDK_DISABLE", saved_disable, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  renderer_chosen_outside = g_getenv ("GSK_RENDERER") != NULL || g_getenv ("GDK_DEBUG") != NULL ||
                            g_getenv ("GDK_DISABLE") != NULL;
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/heron/app/window/renderer-choice", test_renderer_choice);
  g_test_add_func ("/heron/app/window/empty-state", test_window_empty_state);
  g_test_add_func ("/heron/app/window/saves-size", test_window_saves_size);

  return g_test_run ();
}

/* widgets-test-util.c: what the GUI tests of widgets/ share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "widgets-test-util.h"
#include "account/heron-secrets.h"

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
widgets_test_wait_until (WidgetsTestCheck  check,
                         gpointer          data,
                         const char       *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WIDGETS_TEST_WAIT_MS, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Gave up after %u ms waiting for %s", WIDGETS_TEST_WAIT_MS, what);
  g_source_remove (id);
}

void
widgets_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
check_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
widgets_test_wait_destroyed (GtkWidget  *window,
                             const char *what)
{
  gpointer pointer = window;

  g_object_add_weak_pointer (G_OBJECT (window), &pointer);
  widgets_test_wait_until (check_null, &pointer, what);
}

GtkWidget *
widgets_test_find_named (GtkWidget  *root,
                         const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = widgets_test_find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
widgets_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

guint
widgets_test_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  g_autofree char *path = NULL;
  g_autofree guchar *pixels = NULL;
  const char *dir = g_getenv ("HERON_TEST_SCREENSHOT_DIR");
  GskRenderer *renderer;
  int width, height;
  gsize stride;

  g_assert_nonnull (dir);
  /* A widget with a relayout pending renders nothing. */
  gtk_test_widget_wait_for_draw (widget);
  /* Let transitions (stack pages, revealers) finish. */
  widgets_test_spin (600);
  gtk_test_widget_wait_for_draw (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
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

HeronAccountManager *
widgets_test_manager_new (HeronTestServer  *server,
                          gboolean          trust_server,
                          char            **out_config_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("heron-widgets-XXXXXX", &error);
  g_autofree char *config_dir = NULL;
  g_autofree char *data_dir = NULL;
  HeronAccountManager *manager;

  g_assert_no_error (error);
  config_dir = g_build_filename (dir, "config", NULL);
  data_dir = g_build_filename (dir, "data", NULL);
  manager = heron_account_manager_new (config_dir, data_dir);
  if (trust_server)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);

      g_assert_no_error (error);
      heron_account_manager_set_tls_database (manager, database);
    }
  g_assert_true (heron_account_manager_load (manager, NULL, &error));
  g_assert_no_error (error);
  if (out_config_dir != NULL)
    *out_config_dir = g_steal_pointer (&config_dir);
  return manager;
}

HeronAccountConfig *
widgets_test_config_new (HeronTestServer *server,
                         const char      *user)
{
  HeronAccountConfig *config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new ("Test Person", user);
  HeronAccountServer *imap = heron_account_config_get_imap (config);
  HeronAccountServer *smtp = heron_account_config_get_smtp (config);

  heron_account_config_add_identity (config, identity);
  heron_account_server_set_host (imap, heron_test_server_get_host (server));
  heron_account_server_set_port (imap, heron_test_server_get_imap_port (server));
  heron_account_server_set_security (imap, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (imap, user);
  heron_account_server_set_host (smtp, heron_test_server_get_host (server));
  heron_account_server_set_port (smtp, heron_test_server_get_smtp_port (server));
  heron_account_server_set_security (smtp, HERON_ACCOUNT_SECURITY_STARTTLS);
  heron_account_server_set_user (smtp, user);
  return config;
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
check_nonnull (gpointer data)
{
  return *(gpointer *) data != NULL;
}

HeronAccount *
widgets_test_add_account (HeronAccountManager *manager,
                          HeronAccountConfig  *config,
                          const char          *password)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccount *account;

  heron_account_manager_add_async (manager, config, password, NULL, on_done, &result);
  widgets_test_wait_until (check_nonnull, &result, "the account added");
  account = heron_account_manager_add_finish (manager, result, &error);
  g_assert_no_error (error);
  g_assert_true (HERON_IS_ACCOUNT (account));
  return account;
}

typedef struct {
  HeronAccount   *account;
  HeronSyncState  state;
} StateWait;

static gboolean
check_state (gpointer data)
{
  StateWait *wait = data;

  return heron_account_get_state (wait->account) == wait->state;
}

void
widgets_test_wait_state (HeronAccount   *account,
                         HeronSyncState  state)
{
  StateWait wait = { account, state };
  g_autofree char *what = g_strdup_printf ("the account %s", heron_sync_state_to_string (state));

  widgets_test_wait_until (check_state, &wait, what);
}

char *
widgets_test_lookup_password (HeronAccount *account)
{
  HeronAccountServer *imap = heron_account_config_get_imap (heron_account_get_config (account));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  heron_secrets_lookup_async (heron_account_get_id (account), HERON_ACCOUNT_PROTOCOL_IMAP,
                              heron_account_server_get_host (imap),
                              heron_account_server_get_user (imap),
                              NULL, on_done, &result);
  widgets_test_wait_until (check_nonnull, &result, "the keyring");
  secret = heron_secrets_lookup_finish (result, &error);
  g_assert_no_error (error);
  return secret;
}

static void
store_secret_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heron_secrets_store_finish (result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

char *
widgets_test_save_account (HeronTestServer *server,
                           const char      *user,
                           const char      *person,
                           const char      *display_name)
{
  g_autoptr(HeronAccountConfigStore) store = heron_account_config_store_new ();
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new (person, user);
  g_autoptr(GError) error = NULL;
  HeronAccountServer *servers[2];
  gboolean stored = FALSE;
  char *account_id;

  heron_account_config_add_identity (config, identity);
  heron_account_config_set_display_name (config, display_name);
  servers[0] = heron_account_config_get_imap (config);
  servers[1] = heron_account_config_get_smtp (config);
  for (guint i = 0; i < 2; i++)
    {
      heron_account_server_set_host (servers[i], heron_test_server_get_host (server));
      heron_account_server_set_port (servers[i], i == 0 ? heron_test_server_get_imap_port (server)
                                                        : heron_test_server_get_smtp_port (server));
      heron_account_server_set_security (servers[i], HERON_ACCOUNT_SECURITY_STARTTLS);
      heron_account_server_set_auth (servers[i], HERON_ACCOUNT_AUTH_PASSWORD);
      heron_account_server_set_user (servers[i], user);
      heron_account_server_set_pinned_certificate_file (servers[i], heron_test_server_get_ca_file (server));
    }
  g_assert_true (heron_account_config_validate (config, &error));
  g_assert_no_error (error);
  g_assert_true (heron_account_config_store_load (store, NULL, &error));
  g_assert_true (heron_account_config_store_add (store, config, &error));
  g_assert_no_error (error);
  account_id = g_strdup (heron_account_config_get_id (config));

  heron_secrets_store_async (account_id, heron_account_server_get_protocol (servers[0]),
                             heron_account_server_get_host (servers[0]), user,
                             heron_test_server_get_password (server), NULL, store_secret_done, &stored);
  widgets_test_wait_until (flag_is_set, &stored, "the password in the keyring");
  return account_id;
}

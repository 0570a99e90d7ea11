/* test-account-resolver.c: a GResolver with fixed answers, for autoconfiguration tests
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-account-resolver.h"

struct _TestAccountResolver
{
  GResolver parent_instance;

  GMutex lock;          /* GIO may ask from its worker threads */
  GHashTable *hosts;    /* lower-case name -> GPtrArray of GInetAddress */
  GHashTable *services; /* lower-case rrname -> GPtrArray of GSrvTarget */
  guint n_service_lookups;
};

G_DEFINE_FINAL_TYPE (TestAccountResolver, test_account_resolver, G_TYPE_RESOLVER)

static GList *
find_addresses (TestAccountResolver       *self,
                const char                *hostname,
                GResolverNameLookupFlags   flags,
                GError                   **error)
{
  g_autofree char *key = g_ascii_strdown (hostname, -1);
  GList *list = NULL;
  GPtrArray *addresses;

  g_mutex_lock (&self->lock);
  addresses = g_hash_table_lookup (self->hosts, key);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (addresses, i);
      GSocketFamily family = g_inet_address_get_family (address);

      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && family != G_SOCKET_FAMILY_IPV4)
        continue;
      if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && family != G_SOCKET_FAMILY_IPV6)
        continue;
      list = g_list_append (list, g_object_ref (address));
    }
  g_mutex_unlock (&self->lock);

  if (list == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "Error resolving “%s”: no such name in the test resolver", hostname);
  return list;
}

static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  return find_addresses (TEST_ACCOUNT_RESOLVER (resolver), hostname, flags, error);
}

static GList *
lookup_by_name (GResolver     *resolver,
                const char    *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
free_address_list (gpointer list)
{
  g_resolver_free_addresses (list);
}

static void
lookup_by_name_with_flags_async (GResolver                *resolver,
                                 const char               *hostname,
                                 GResolverNameLookupFlags  flags,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list = find_addresses (TEST_ACCOUNT_RESOLVER (resolver), hostname, flags, &error);

  if (list != NULL)
    g_task_return_pointer (task, list, free_address_list);
  else
    g_task_return_error (task, error);
}

static GList *
lookup_by_name_with_flags_finish (GResolver     *resolver,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

static GList *
find_targets (TestAccountResolver  *self,
              const char           *rrname,
              GError              **error)
{
  g_autofree char *key = g_ascii_strdown (rrname, -1);
  GList *list = NULL;
  GPtrArray *targets;

  g_mutex_lock (&self->lock);
  self->n_service_lookups++;
  targets = g_hash_table_lookup (self->services, key);
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    list = g_list_append (list, g_srv_target_copy (g_ptr_array_index (targets, i)));
  g_mutex_unlock (&self->lock);

  if (list == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No service records for “%s” in the test resolver", rrname);
  return list;
}

static GList *
lookup_service (GResolver     *resolver,
                const char    *rrname,
                GCancellable  *cancellable,
                GError       **error)
{
  return find_targets (TEST_ACCOUNT_RESOLVER (resolver), rrname, error);
}

static void
free_target_list (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_srv_target_free);
}

static void
lookup_service_async (GResolver           *resolver,
                      const char          *rrname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list = find_targets (TEST_ACCOUNT_RESOLVER (resolver), rrname, &error);

  if (list != NULL)
    g_task_return_pointer (task, list, free_target_list);
  else
    g_task_return_error (task, error);
}

static GList *
lookup_service_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "The test resolver has no reverse lookups");
  return NULL;
}

static void
lookup_by_address_async (GResolver           *resolver,
                         GInetAddress        *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "The test resolver has no reverse lookups");
}

static char *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
lookup_records (GResolver              *resolver,
                const char             *rrname,
                GResolverRecordType     record_type,
                GCancellable           *cancellable,
                GError                **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "The test resolver has no other records");
  return NULL;
}

static void
lookup_records_async (GResolver           *resolver,
                      const char          *rrname,
                      GResolverRecordType  record_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                           "The test resolver has no other records");
}

static GList *
lookup_records_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_account_resolver_finalize (GObject *object)
{
  TestAccountResolver *self = TEST_ACCOUNT_RESOLVER (object);

  g_clear_pointer (&self->hosts, g_hash_table_unref);
  g_clear_pointer (&self->services, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (test_account_resolver_parent_class)->finalize (object);
}

static void
test_account_resolver_class_init (TestAccountResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = test_account_resolver_finalize;

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_with_flags_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_by_name_with_flags_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
  resolver_class->lookup_service = lookup_service;
  resolver_class->lookup_service_async = lookup_service_async;
  resolver_class->lookup_service_finish = lookup_service_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_records_finish;
}

static void
test_account_resolver_init (TestAccountResolver *self)
{
  g_mutex_init (&self->lock);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
}

TestAccountResolver *
test_account_resolver_new (void)
{
  return g_object_new (TEST_TYPE_ACCOUNT_RESOLVER, NULL);
}

void
test_account_resolver_add_host (TestAccountResolver *self,
                                const char          *name,
                                const char          *address)
{
  GInetAddress *inet = g_inet_address_new_from_string (address);
  g_autofree char *key = g_ascii_strdown (name, -1);
  GPtrArray *addresses;

  g_assert_nonnull (inet);
  g_mutex_lock (&self->lock);
  addresses = g_hash_table_lookup (self->hosts, key);
  if (addresses == NULL)
    {
      addresses = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->hosts, g_strdup (key), addresses);
    }
  g_ptr_array_add (addresses, inet);
  g_mutex_unlock (&self->lock);
}

void
test_account_resolver_add_srv (TestAccountResolver *self,
                               const char          *rrname,
                               const char          *target,
                               guint16              port,
                               guint16              priority,
                               guint16              weight)
{
  g_autofree char *key = g_ascii_strdown (rrname, -1);
  GPtrArray *targets;

  g_mutex_lock (&self->lock);
  targets = g_hash_table_lookup (self->services, key);
  if (targets == NULL)
    {
      targets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_srv_target_free);
      g_hash_table_insert (self->services, g_strdup (key), targets);
    }
  g_ptr_array_add (targets, g_srv_target_new (target, port, priority, weight));
  g_mutex_unlock (&self->lock);
}

void
test_account_resolver_clear (TestAccountResolver *self)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->hosts);
  g_hash_table_remove_all (self->services);
  self->n_service_lookups = 0;
  g_mutex_unlock (&self->lock);
}

guint
test_account_resolver_get_n_service_lookups (TestAccountResolver *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_service_lookups;
  g_mutex_unlock (&self->lock);
  return n;
}

/*
 * The two system calls the init needs and Node does not offer:
 *   waitpidNoHang(pid)        reap one given child if it has exited (waitpid with WNOHANG)
 *   setChildSubreaper(on)     prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to us
 *   isChildSubreaper()        prctl(PR_GET_CHILD_SUBREAPER)
 * and glibc's allocator settings, which Node does not expose either:
 *   setMallocThresholds(mmap, trim)  mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD); false where malloc is not glibc's
 *   trimMalloc()                     malloc_trim(0): give freed heap memory back to the system
 * Node-API only, so one build works with every Node version that has Node-API 8.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define CHECK(env, call)                                                                                          \
  do {                                                                                                            \
    if ((call) != napi_ok) return throw_message((env), "Node-API call failed: " #call);                         \
  } while (0)

static napi_value throw_message(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* Throws an Error whose message names the call and whose `errno` property carries the number. */
static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char message[160];
  napi_value text, error, number;
  snprintf(message, sizeof message, "%s failed: %s", syscall, strerror(err));
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) != napi_ok ||
      napi_create_error(env, NULL, text, &error) != napi_ok || napi_create_int32(env, err, &number) != napi_ok ||
      napi_set_named_property(env, error, "errno", number) != napi_ok) {
    return throw_message(env, message);
  }
  napi_throw(env, error);
  return NULL;
}

static napi_value int_or_null(napi_env env, int present, int value) {
  napi_value result;
  if (!present) {
    if (napi_get_null(env, &result) != napi_ok) return NULL;
  } else if (napi_create_int32(env, value, &result) != napi_ok) {
    return NULL;
  }
  return result;
}

/* waitpidNoHang(pid) -> null while the child runs, else { exitCode, signal } (one of them null). */
static napi_value waitpid_no_hang(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, field;
  int32_t pid;
  int status = 0;
  pid_t reaped;

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "waitpidNoHang expects a positive integer pid");
    return NULL;
  }
  do {
    reaped = waitpid((pid_t)pid, &status, WNOHANG);
  } while (reaped == -1 && errno == EINTR);
  if (reaped == -1) return throw_errno(env, "waitpid", errno);
  if (reaped == 0) {
    CHECK(env, napi_get_null(env, &result));
    return result;
  }
  CHECK(env, napi_create_object(env, &result));
  field = int_or_null(env, WIFEXITED(status), WIFEXITED(status) ? WEXITSTATUS(status) : 0);
  if (field == NULL) return throw_message(env, "cannot create exitCode");
  CHECK(env, napi_set_named_property(env, result, "exitCode", field));
  field = int_or_null(env, WIFSIGNALED(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  if (field == NULL) return throw_message(env, "cannot create signal");
  CHECK(env, napi_set_named_property(env, result, "signal", field));
  return result;
}

static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  bool on = true;

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1 && napi_get_value_bool(env, argv[0], &on) != napi_ok) {
    napi_throw_type_error(env, NULL, "setChildSubreaper expects a boolean");
    return NULL;
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, on ? 1UL : 0UL, 0UL, 0UL, 0UL) != 0) {
    return throw_errno(env, "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  }
  CHECK(env, napi_get_undefined(env, &result));
  return result;
}

static napi_value is_child_subreaper(napi_env env, napi_callback_info info) {
  int flag = 0;
  napi_value result;
  (void)info;
  if (prctl(PR_GET_CHILD_SUBREAPER, (unsigned long)&flag, 0UL, 0UL, 0UL) != 0) {
    return throw_errno(env, "prctl(PR_GET_CHILD_SUBREAPER)", errno);
  }
  CHECK(env, napi_get_boolean(env, flag != 0, &result));
  return result;
}

static napi_value set_malloc_thresholds(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int64_t mmap_threshold = 0, trim_threshold = 0;
  bool applied = false;

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_int64(env, argv[0], &mmap_threshold) != napi_ok ||
      napi_get_value_int64(env, argv[1], &trim_threshold) != napi_ok || mmap_threshold <= 0 || trim_threshold <= 0 ||
      mmap_threshold > INT32_MAX || trim_threshold > INT32_MAX) {
    napi_throw_type_error(env, NULL, "setMallocThresholds expects two positive byte counts");
    return NULL;
  }
#ifdef __GLIBC__
  applied = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
#endif
  CHECK(env, napi_get_boolean(env, applied, &result));
  return result;
}

static napi_value trim_malloc(napi_env env, napi_callback_info info) {
  napi_value result;
  bool released = false;
  (void)info;
#ifdef __GLIBC__
  released = malloc_trim(0) == 1;
#endif
  CHECK(env, napi_get_boolean(env, released, &result));
  return result;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor methods[] = {
      {"waitpidNoHang", NULL, waitpid_no_hang, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setChildSubreaper", NULL, set_child_subreaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"isChildSubreaper", NULL, is_child_subreaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setMallocThresholds", NULL, set_malloc_thresholds, NULL, NULL, NULL, napi_enumerable, NULL},
      {"trimMalloc", NULL, trim_malloc, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods) != napi_ok) return NULL;
  return exports;
}

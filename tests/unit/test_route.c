#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_router.h"

static int h_a(hs_req *req, hs_resp *resp, hs_err *err)
{
    (void)req, (void)resp, (void)err;
    return 0;
}

static hs_router *make(void)
{
    hs_router *r = hs_router_create();
    static const char *const pats[] = {
        "/",          "/healthz", "/tiles/{layer}/{z}/{x}/{y}.png", "/tiles/{layer}/{z}/{x}/{y}@2x.png",
        "/web/{path*}", "/api/units/{code}", "/api/v{n}/x", NULL};
    for (int i = 0; pats[i]; i++) {
        hs_err err = {0};
        int rc = hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = pats[i], .handle = h_a,
                                                   .ctx = (void *)pats[i]},
                               &err);
        if (rc)
            fail_msg("%s: %s", pats[i], err.msg);
    }
    return r;
}

/* Matches path; returns the pattern or NULL. */
static const char *match(hs_router *r, hs_arena *a, const char *path, hs_req *req)
{
    memset(req, 0, sizeof *req);
    req->arena = a;
    hs_err err = {0};
    if (hs_router_match(r, path, req, &err) < 0) {
        assert_int_equal(err.code, HS_ENOTFOUND);
        return NULL;
    }
    assert_ptr_equal(req->ctx, hs_route_spec_of(req->route)->ctx);
    return hs_route_pattern(req->route);
}

static void test_literals(void **state)
{
    (void)state;
    hs_router *r = make();
    hs_arena *a = hs_arena_create(0);
    hs_req req;
    assert_string_equal(match(r, a, "/", &req), "/");
    assert_string_equal(match(r, a, "/healthz", &req), "/healthz");
    assert_null(match(r, a, "/healthz/", &req));
    assert_null(match(r, a, "/healthzz", &req));
    assert_null(match(r, a, "/health", &req));
    assert_null(match(r, a, "/nope/x", &req));
    hs_arena_destroy(a);
    hs_router_destroy(r);
}

static void test_tile_params_and_2x(void **state)
{
    (void)state;
    hs_router *r = make();
    hs_arena *a = hs_arena_create(0);
    hs_req req;
    assert_string_equal(match(r, a, "/tiles/gistar/5/25/14.png", &req),
                        "/tiles/{layer}/{z}/{x}/{y}.png");
    assert_int_equal(req.nparams, 4);
    assert_string_equal(hs_req_param(&req, "layer"), "gistar");
    assert_string_equal(hs_req_param(&req, "z"), "5");
    assert_string_equal(hs_req_param(&req, "x"), "25");
    assert_string_equal(hs_req_param(&req, "y"), "14");
    assert_null(hs_req_param(&req, "w"));
    /* The more literal pattern wins whatever the registration order. */
    assert_string_equal(match(r, a, "/tiles/gistar/5/25/14@2x.png", &req),
                        "/tiles/{layer}/{z}/{x}/{y}@2x.png");
    assert_string_equal(hs_req_param(&req, "y"), "14");
    assert_null(match(r, a, "/tiles/gistar/5/25/.png", &req));
    assert_null(match(r, a, "/tiles/gistar/5/25/14.jpg", &req));
    assert_null(match(r, a, "/tiles/gistar/5/25", &req));
    assert_null(match(r, a, "/tiles/gistar/5/25/14.png/x", &req));
    assert_null(match(r, a, "/tiles//5/25/14.png", &req));
    assert_string_equal(match(r, a, "/api/v2/x", &req), "/api/v{n}/x");
    assert_string_equal(hs_req_param(&req, "n"), "2");
    assert_string_equal(match(r, a, "/api/units/Hà Nội", &req), "/api/units/{code}");
    assert_string_equal(hs_req_param(&req, "code"), "Hà Nội");
    hs_arena_destroy(a);
    hs_router_destroy(r);
}

static void test_rest(void **state)
{
    (void)state;
    hs_router *r = make();
    hs_arena *a = hs_arena_create(0);
    hs_req req;
    assert_string_equal(match(r, a, "/web/css/app.css", &req), "/web/{path*}");
    assert_string_equal(hs_req_param(&req, "path"), "css/app.css");
    assert_string_equal(match(r, a, "/web/index.html", &req), "/web/{path*}");
    assert_null(match(r, a, "/web/", &req));
    assert_null(match(r, a, "/web", &req));
    hs_arena_destroy(a);
    hs_router_destroy(r);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    hs_router *r = hs_router_create();
    static const char *const bad[] = {"nope", "/a/{x", "/a/{}", "/a/{x}{y}", "/{p*}/x", "/a//b",
                                      "/a/x{p*}", NULL};
    for (int i = 0; bad[i]; i++) {
        hs_err err = {0};
        assert_true(hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = bad[i], .handle = h_a},
                                  &err) < 0);
        assert_non_null(strstr(err.msg, bad[i]));
    }
    hs_err err = {0};
    assert_true(hs_router_add(r, &(hs_route_spec){.method = "POST", .pattern = "/x", .handle = h_a},
                              &err) < 0);
    assert_int_equal(hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = "/x", .handle = h_a},
                                   &err),
                     0);
    assert_true(hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = "/x", .handle = h_a},
                              &err) < 0);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(hs_router_count(r), 1);
    /* The table has a hard size. */
    char pat[32];
    int added = 1;
    for (int i = 0; i < HS_ROUTER_MAX_ROUTES + 5; i++) {
        snprintf(pat, sizeof pat, "/r%d", i);
        if (hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = pat, .handle = h_a}, &err) == 0)
            added++;
    }
    assert_int_equal(added, HS_ROUTER_MAX_ROUTES);
    assert_int_equal(err.code, HS_ELIMIT);
    hs_router_destroy(r);
}

static void test_resp_headers(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(0);
    hs_resp resp;
    hs_resp_init(&resp, a);
    hs_err err = {0};
    assert_int_equal(hs_resp_header(&resp, "ETag", "\"abc\"", &err), 0);
    assert_int_equal(hs_resp_header(&resp, "etag", "\"def\"", &err), 0);
    assert_int_equal(resp.nheaders, 1);
    assert_string_equal(resp.hvalue[0], "\"def\"");
    assert_true(hs_resp_header(&resp, "X-Evil", "a\r\nSet-Cookie: x=1", &err) < 0);
    assert_true(hs_resp_header(&resp, "Bad Name", "v", &err) < 0);
    assert_true(hs_resp_header(&resp, "Content-Length", "5", &err) < 0);
    hs_err e = {0};
    hs_err_set(&e, HS_EINVAL, "parameter 'z' must be an integer from 0 to 22 (got 'x')");
    hs_resp_error(&resp, &e, "z");
    assert_int_equal(resp.status, 400);
    assert_non_null(resp.body.data);
    hs_buf_terminate(&resp.body, NULL);
    assert_non_null(strstr((char *)resp.body.data, "\"parameter\":\"z\""));
    assert_non_null(strstr((char *)resp.body.data, "\"code\":\"invalid_argument\""));
    /* Invalid UTF-8 in a message still produces valid JSON. */
    hs_err_set(&e, HS_ENOTFOUND, "bad \xff\xfe bytes");
    hs_resp_error(&resp, &e, NULL);
    assert_int_equal(resp.status, 404);
    assert_true(resp.body.len > 0);
    hs_resp_clear(&resp);
    hs_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),     cmocka_unit_test(test_tile_params_and_2x),
        cmocka_unit_test(test_rest),         cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_resp_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_presets.c: THE table of report presets (report_presets.h).
 *
 * How to read and extend it. A category is the code that does a job, not a
 * filter that wraps the rest of the request: a sample counts in a category
 * when any frame of its stack belongs to it, so a frame that calls the next
 * handler (kube-apiserver's WithAuthentication, WithAuthorization,
 * WithPriorityAndFairness, WithAudit, its HTTP/2 runHandler) would put every
 * request below it in the category. Measured on kube-apiserver 1.20 under a
 * non-admin load: stacks holding WithAuthentication 65%, WithAuthorization
 * 51%, but the authenticators 4.0% and the authorizers 18.7%. So:
 *  - regexes name the packages and functions that do the work, anchored at
 *    the start of the name (Go names start with the import path; a generic
 *    argument naming the package elsewhere must not match);
 *  - where a package that does the work also holds the frame that calls
 *    the request on (flowcontrol's Handle and Finish, the cacher's methods
 *    that delegate to etcd), an exclusion removes that frame (and its
 *    closures, CLOSURE below) while its callees in the package still count;
 *  - every kube-apiserver path is written with and without the
 *    "k8s.io/kubernetes/vendor/" prefix of builds from the kubernetes
 *    repository before Go workspaces (VENDOR below); code of the kubernetes
 *    module itself ("k8s.io/kubernetes/pkg/...") never carries it.
 * Regexes are POSIX extended; a frame matches by its name or its folded
 * label (name_[k] for kernel frames, name_[i] for inlined ones).
 */
#include "report_presets.h"

#include <string.h>

#include "util.h"

/* Builds from k/k before 1.26 or so name staging and vendored code under this. */
#define VENDOR "^(k8s\\.io/kubernetes/vendor/)?"
/* A function's closures and go-statement wrappers: F.func1, F.func2.1, F.gowrap1. */
#define CLOSURE "(\\.[a-z]*[0-9][0-9.]*)*$"
/* A row of the table: frames matching regex belong to category, or never do. */
#define MATCH(category, regex)         \
	{                              \
		category, regex, false \
	}
#define EXCLUDE(category, regex)      \
	{                             \
		category, regex, true \
	}
#define APISERVER VENDOR "k8s\\.io/apiserver/"
#define KUBE "^k8s\\.io/kubernetes/"

/* Rows every Go preset shares: the runtime's own work and the kernel. */
#define GO_RUNTIME_ROWS                                                                            \
	/* GC: background and assist marking, sweeping, scavenging, write barriers, and            \
	 * allocation (mallocgc is where allocation pays for GC). */                               \
	MATCH("go-gc",                                                                             \
	      "^runtime\\.(gcBgMarkWorker|gcAssistAlloc1?|gcDrain[A-Za-z]*|gcStart|"               \
	      "gcMarkDone|gcMarkTermination|gcSweep|bgsweep|bgscavenge|sweepone|markroot|"         \
	      "scanobject|scanblock|scanstack|greyobject|wbBufFlush1?|"                            \
	      "gcWriteBarrier[A-Za-z0-9]*|gcFlushBgCredit|mallocgc[A-Za-z]*)$"), /* Scheduler:     \
										  * finding and    \
										  * switching      \
										  * goroutines,    \
										  * idling Ms,     \
										  * syscall exits, \
										  * sysmon, timers \
										  * and netpoll as \
										  * the scheduler  \
										  * runs them. */  \
		MATCH("go-scheduler",                                                              \
		      "^runtime\\.(schedule|findRunnable|findrunnable|park_m|goschedImpl|"         \
		      "gosched_m|gopreempt_m|goexit0|mcall|newproc1?|ready|goready|wakep|"         \
		      "startm|stopm|handoffp|runqsteal|runqgrab|stealWork|checkTimers|"            \
		      "runtimer|runOneTimer|netpoll|injectglist|sysmon|retake|preemptone|"         \
		      "exitsyscall|exitsyscallfast|exitsyscall0|entersyscallblock|"                \
		      "notesleep|notewakeup|execute|resetspinning|gcstopm)$"), /* Kernel:          \
										  syscalls, the    \
										  network stack,   \
										  page faults,     \
										  interrupts. */   \
		MATCH("kernel", "_\\[k\\]$")

static const struct report_pattern apiserver_patterns[] = {
	/* The authenticators (x509, bearer token, token cache, service account JWTs,
	 * OIDC, webhook), not the WithAuthentication filter (endpoints/filters) nor
	 * authentication/user's accessors, which every layer calls. */
	MATCH("authentication",
	      APISERVER "pkg/authentication/"
			"(authenticator|authenticatorfactory|group|request|token|cel)[./]"),
	MATCH("authentication", APISERVER "plugin/pkg/authenticator/"),
	MATCH("authentication", KUBE "(pkg/serviceaccount|plugin/pkg/auth/authenticator)[./]"),
	/* The authorizers: the union, RBAC and its rule resolution, Node, webhook. */
	MATCH("authorization", APISERVER "(pkg/authorization|plugin/pkg/authorizer)/"),
	MATCH("authorization", KUBE "(plugin/pkg/auth/authorizer|pkg/registry/rbac/validation|"
				    "pkg/kubeapiserver/authorizer)[./]"),
	MATCH("authorization", VENDOR "k8s\\.io/component-helpers/auth/rbac/"),
	/* Admission chains and plugins (in-tree, webhooks and CEL policies). */
	MATCH("admission", APISERVER "pkg/admission[./]"),
	MATCH("admission", KUBE "plugin/pkg/admission/"),
	/* API Priority and Fairness: classification, queuing, dispatching, not the
	 * frames that run the request once it is dispatched. */
	MATCH("priority-and-fairness", APISERVER "pkg/util/flowcontrol[./]"),
	EXCLUDE("priority-and-fairness", "\\.\\(\\*configController\\)\\.Handle" CLOSURE),
	EXCLUDE("priority-and-fairness", "flowcontrol[./].*\\.Finish" CLOSURE),
	/* Encoding and decoding: JSON (encoding/json, json-iterator in 1.20, the
	 * sigs.k8s.io fork later), protobuf (generated Marshal/Unmarshal of API
	 * types, gogo and Google runtimes), CBOR, YAML, and the apimachinery codecs
	 * (which also convert versions while encoding). */
	MATCH("serialization", "^encoding/(json|base64)\\."),
	MATCH("serialization", VENDOR "k8s\\.io/apimachinery/pkg/runtime/serializer/"),
	MATCH("serialization", VENDOR "k8s\\.io/apimachinery/pkg/util/(json|yaml)\\."),
	MATCH("serialization", VENDOR "(sigs\\.k8s\\.io/(json|yaml)|github\\.com/(json-iterator/go|"
				      "modern-go/reflect2|gogo/protobuf|golang/protobuf|fxamacker/"
				      "cbor|ghodss/yaml)|google\\.golang\\.org/protobuf|"
				      "gopkg\\.in/yaml\\.v[23]|go\\.yaml\\.in/yaml)[./]"),
	MATCH("serialization", VENDOR "k8s\\.io/(api|apimachinery|apiextensions-apiserver|"
				      "kube-aggregator)/.*\\.\\(\\*[A-Za-z0-9_]+\\)\\."
				      "(Marshal|MarshalTo|MarshalToSizedBuffer|Unmarshal|Size)$"),
	/* The etcd client (3.4's clientv3, 3.5's client/v3, their protos), gRPC (which
	 * kube-apiserver uses for etcd) and the etcd3 storage layer. */
	MATCH("etcd", VENDOR "(go\\.etcd\\.io/etcd/|google\\.golang\\.org/grpc[./])"),
	MATCH("etcd", APISERVER "pkg/storage/(etcd3|storagebackend)[./]"),
	/* The store methods that run the registry's callbacks (the update function of
	 * GuaranteedUpdate: admission, strategy, conversion; delete validation), not
	 * etcd work; what they call in etcd3 and the client still counts. */
	EXCLUDE("etcd", APISERVER "pkg/storage/etcd3\\.\\(\\*store\\)\\."
				  "(GuaranteedUpdate|updateState|Delete|conditionalDelete)$"),
	/* The watch cache and watch serving; not the cacher methods that only pass a
	 * request on to etcd (their frames would count every etcd read). */
	MATCH("watch-and-cacher", APISERVER "pkg/storage/cacher[./]"),
	MATCH("watch-and-cacher", APISERVER "pkg/endpoints/handlers\\.(\\(\\*WatchServer\\)|"
					    "serveWatch)"),
	MATCH("watch-and-cacher", VENDOR "k8s\\.io/apimachinery/pkg/watch\\."),
	MATCH("watch-and-cacher", APISERVER "pkg/storage/etcd3\\.(\\(\\*watcher\\)|"
					    "\\(\\*watchChan\\)|newWatcher)"),
	EXCLUDE("watch-and-cacher",
		APISERVER "pkg/storage/cacher\\.\\(\\*(Cacher|CacheDelegator)\\)\\."
			  "(Get|GetList|GetToList|List|Create|Delete|"
			  "GuaranteedUpdate|Count)$"),
	/* HTTP/2 framing, flow control and hpack (x/net or the copy in net/http),
	 * TLS records and handshakes; not runHandler, the root of every request. */
	MATCH("http2-and-tls",
	      "^(vendor/|k8s\\.io/kubernetes/vendor/)?golang\\.org/x/net/http2[./]"),
	MATCH("http2-and-tls", "^net/http\\.(\\(\\*)?http2"),
	MATCH("http2-and-tls", "^net/http\\.(readRequest|\\(\\*conn\\)\\.readRequest|"
			       "\\(\\*(response|chunkWriter)\\)\\.)"),
	MATCH("http2-and-tls", "^crypto/tls\\."),
	EXCLUDE("http2-and-tls", "[.)]runHandler" CLOSURE),
	/* A handler's goroutine starts in a go-statement wrapper named after the
	 * function that started it (processHeaders.gowrap1 since Go 1.22, a .func1
	 * before): a root frame of every request. */
	EXCLUDE("http2-and-tls", "http2.*\\.(gowrap|func)[0-9]+(\\.[0-9]+)*$"),
	/* Audit policy, events and backends; klog and zap; the request log line. */
	MATCH("audit-and-logging", APISERVER "(pkg/audit|plugin/pkg/audit)[./]"),
	MATCH("audit-and-logging", VENDOR "(k8s\\.io/klog/|go\\.uber\\.org/zap[./])"),
	MATCH("audit-and-logging", APISERVER "pkg/server/httplog\\.\\(\\*respLogger\\)\\.Log$"),
	GO_RUNTIME_ROWS,
};

/* tools/demo (`make demo`): its handler chain mimics kube-apiserver's, with
 * filters that wrap every request, so again the categories name the work. */
static const struct report_pattern demo_patterns[] = {
	MATCH("authentication", "^bpflame-demo/internal/authn\\.\\(\\*Authenticator\\)\\."),
	MATCH("authorization",
	      "^bpflame-demo/internal/authz\\.(\\(\\*Authorizer\\)\\.Authorize|match)$"),
	MATCH("request-info", "^bpflame-demo/internal/request\\.Parse$"),
	MATCH("serialization", "^encoding/json\\."),
	MATCH("compression", "^compress/"),
	MATCH("storage", "^bpflame-demo/internal/storage\\."),
	MATCH("logging", "^(log\\.|main\\.\\(\\*sink\\)\\.Write$)"),
	/* net/http minus the frames that call the next handler. */
	MATCH("http", "^net/http\\."),
	EXCLUDE("http",
		"^net/http\\.(\\(\\*conn\\)\\.serve|serverHandler\\.ServeHTTP|HandlerFunc\\."
		"ServeHTTP|\\(\\*ServeMux\\)\\.ServeHTTP|\\(\\*Server\\)\\.Serve)" CLOSURE),
	/* The built-in client (-load): its requests and connection loops. */
	MATCH("load-generator", "^bpflame-demo/internal/loadgen\\."),
	MATCH("load-generator", "^net/http\\.\\(\\*persistConn\\)\\.(readLoop|writeLoop)"),
	GO_RUNTIME_ROWS,
};

static const struct report_pattern go_patterns[] = {
	GO_RUNTIME_ROWS,
};

static const struct report_preset presets[] = {
	{"apiserver", "kube-apiserver: authn, authz, admission, APF, serialization, etcd, ...",
	 VENDOR "k8s\\.io/apiserver/pkg/server\\.", apiserver_patterns,
	 ARRAY_SIZE(apiserver_patterns)},
	{"demo", "tools/demo, the built-in target of make demo", "^bpflame-demo/internal/",
	 demo_patterns, ARRAY_SIZE(demo_patterns)},
	{"go", "any Go program: GC, scheduler, kernel", "^runtime\\.(goexit|mstart)$", go_patterns,
	 ARRAY_SIZE(go_patterns)},
};

size_t report_presets__count(void)
{
	return ARRAY_SIZE(presets);
}

const struct report_preset *report_presets__get(size_t i)
{
	return i < ARRAY_SIZE(presets) ? &presets[i] : NULL;
}

const struct report_preset *report_presets__find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		if (!strcmp(presets[i].name, name))
			return &presets[i];
	}
	return NULL;
}

int report_presets__apply(const struct report_preset *p, struct report *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->npatterns; i++) {
		const struct report_pattern *pat = &p->patterns[i];
		int ret = report__add_pattern(r, pat->category, pat->regex, pat->exclude, err,
					      errlen);

		if (ret)
			return ret;
	}
	return 0;
}

const struct report_preset *report_presets__detect(const struct report *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		if (presets[i].detect && report__any_frame_matches(r, presets[i].detect) == 1)
			return &presets[i];
	}
	return NULL;
}

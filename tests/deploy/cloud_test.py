#!/usr/bin/env python3
"""The cloud recipe (deploy/cloud/): the kustomize base, the vLLM overlay and the queue-autoscaling
component render with `kubectl kustomize`; every object validates against the Kubernetes schemas
offline (kubernetes-validate, strict: unknown fields fail) for the oldest and newest versions the
recipe claims; the objects agree with each other (selectors, ports, probes, Secret and ConfigMap
references, $(VAR) expansions, volumes, the restricted Pod Security Standard, init-container
order); and the containers' commands run for real: the init container's `flash pull` against a
local web server, `flash serve` with the Deployment's exact args and env behind its probes and
the Secret's key, the vLLM overlay's `flash convert` init container, and the evaluation Job's
`flash eval all` against that server standing in for vLLM (fewer cases). vLLM itself and a
cluster cannot run here.

Usage: cloud_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 when one failed, 77 (skipped) when kubectl or the
kubernetes-validate package is missing or the model variable is not set."""
import copy
import functools
import hashlib
import http.server
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from recipe_checks import (finish, free_port, keep_or_remove, recipe_args, record, stop_all, tail,
                           wait_healthy)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECIPE = os.path.join(ROOT, "deploy", "cloud")
KEY = "test-key"
# The oldest Kubernetes the recipe claims, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.30.0", None)
VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


# ---- rendering and schemas

def render(tmp, target):
    """(objects, error) for `kubectl kustomize` of a folder under a copy of deploy/cloud."""
    p = subprocess.run(["kubectl", "kustomize", os.path.join(tmp, "cloud", target)],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.strip()[-800:]
    import yaml
    return [d for d in yaml.safe_load_all(p.stdout) if d], ""


def check_schemas(name, objects):
    import kubernetes_validate
    for version in KUBERNETES_VERSIONS:
        version = version or kubernetes_validate.latest_version()
        errors = []
        for obj in objects:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except Exception as e:  # ValidationError, SchemaNotFoundError
                errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {str(e)[:300]}")
        record(f"{name}: {len(objects)} objects valid for Kubernetes {version} (strict)",
               not errors, "; ".join(errors))


def check_validator_rejects_a_typo(objects):
    """The validator is not a rubber stamp: one misspelled field in the Deployment fails."""
    import kubernetes_validate
    broken = copy.deepcopy(by_kind(objects, "Deployment")[0])
    container = broken["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    try:
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)
        record("the schema check rejects a misspelled field", False, "readinesProbe accepted")
    except kubernetes_validate.ValidationError:
        record("the schema check rejects a misspelled field", True)


def by_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


# ---- how the objects fit together

def pod_of(objects, kind):
    return by_kind(objects, kind)[0]["spec"]["template"]


def all_containers(pod):
    return pod["spec"].get("initContainers", []) + pod["spec"]["containers"]


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def container_env(container, objects):
    """The container's environment as the kubelet builds it: literal values, Secret and
    ConfigMap references resolved from the rendering, limits.cpu from resourceFieldRef."""
    env, missing = {}, []
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef") or source.get("secretRef")
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        found = [o for o in by_kind(objects, kind) if o["metadata"]["name"] == ref["name"]]
        if not found:
            missing.append(f"{kind} {ref['name']}")
            continue
        env.update(found[0].get("data", {}))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        source = item.get("valueFrom", {})
        if "secretKeyRef" in source or "configMapKeyRef" in source:
            kind = "Secret" if "secretKeyRef" in source else "ConfigMap"
            ref = source.get("secretKeyRef") or source.get("configMapKeyRef")
            found = [o for o in by_kind(objects, kind)
                     if o["metadata"]["name"] == ref["name"] and ref["key"] in o.get("data", {})]
            if not found:
                missing.append(f"{kind} {ref['name']} key {ref['key']}")
                continue
            value = found[0]["data"][ref["key"]]
            if kind == "Secret":
                import base64
                value = base64.b64decode(value).decode()
            env[item["name"]] = value
        elif "resourceFieldRef" in source:
            resource = source["resourceFieldRef"]["resource"]  # limits.cpu with divisor 1
            env[item["name"]] = str(cpu_cores(container["resources"]["limits"][
                resource.split(".")[1]]))
    return env, missing


def cpu_cores(quantity):
    """A CPU quantity ("2", "1.5", "500m") rounded up to whole cores, as divisor 1 gives."""
    quantity = str(quantity)
    if quantity.endswith("m"):
        return -(-int(quantity[:-1]) // 1000)
    return math.ceil(float(quantity))


def expand(words, env):
    """Kubernetes' $(VAR) expansion in command and args; unresolved names are returned."""
    unresolved = [m for w in words for m in VAR.findall(w) if m not in env]
    return [VAR.sub(lambda m: env.get(m.group(1), m.group(0)), w) for w in words], unresolved


def check_wiring(name, objects, workload_kinds):
    deployment = by_kind(objects, "Deployment")[0]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    server = pod["spec"]["containers"][0]
    port_names = {p["name"]: p["containerPort"] for p in server.get("ports", [])}

    record(f"{name}: the Deployment's selector matches its pods",
           matches(deployment["spec"]["selector"]["matchLabels"], labels))
    service = by_kind(objects, "Service")[0]
    record(f"{name}: the Service selects the server pods, its targetPort is a container port",
           matches(service["spec"]["selector"], labels)
           and all(p["targetPort"] in port_names for p in service["spec"]["ports"]),
           f"selector {service['spec']['selector']}, ports {port_names}")
    pdb = by_kind(objects, "PodDisruptionBudget")[0]
    record(f"{name}: the PodDisruptionBudget selects the server pods",
           matches(pdb["spec"]["selector"]["matchLabels"], labels))
    policy = by_kind(objects, "NetworkPolicy")[0]
    allowed = {p["port"] for rule in policy["spec"]["ingress"] for p in rule.get("ports", [])}
    record(f"{name}: the NetworkPolicy covers the server pods and lets the API port in",
           matches(policy["spec"]["podSelector"]["matchLabels"], labels)
           and set(port_names.values()) <= allowed, f"allowed {allowed}, ports {port_names}")
    probes = [server.get(p) for p in ("startupProbe", "readinessProbe", "livenessProbe")]
    record(f"{name}: startup, readiness and liveness probes GET /health on the API port",
           all(p and p["httpGet"]["path"] == "/health" and p["httpGet"]["port"] in port_names
               for p in probes))

    problems = []
    for kind in workload_kinds:
        kind_pod = pod_of(objects, kind)
        volumes = {v["name"] for v in kind_pod["spec"].get("volumes", [])}
        pod_security = kind_pod["spec"].get("securityContext", {})
        if not (pod_security.get("runAsNonRoot") and
                pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault"):
            problems.append(f"{kind}: pod not runAsNonRoot with the RuntimeDefault seccomp profile")
        if kind_pod["spec"].get("automountServiceAccountToken") is not False:
            problems.append(f"{kind}: mounts a service-account token it does not use")
        for c in all_containers(kind_pod):
            env, missing = container_env(c, objects)
            problems += [f"{c['name']}: no {m}" for m in missing]
            _, unresolved = expand(c.get("command", []) + c.get("args", []), env)
            problems += [f"{c['name']}: $({v}) is not in its environment" for v in unresolved]
            problems += [f"{c['name']}: mounts unknown volume {m['name']}"
                         for m in c.get("volumeMounts", []) if m["name"] not in volumes]
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or \
                    sc.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{c['name']}: privilege escalation or capabilities not dropped")
            if "limits" not in c.get("resources", {}) or "memory" not in c["resources"]["limits"]:
                problems.append(f"{c['name']}: no memory limit")
            if ":" not in c["image"] or not c["image"].split(":")[0].count("/"):
                problems.append(f"{c['name']}: image '{c['image']}' is not a pinned registry name")
    record(f"{name}: every container resolves its env, $(VAR)s, volumes; runs restricted; "
           "pinned images; memory limits", not problems, "; ".join(problems))
    return server


# ---- running the containers' commands

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder):
    """A local web server standing in for the object store the init container downloads from."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def localize(words, flash, paths):
    """A container's command with the image's binary and mount points swapped for the test's:
    the first word "flash" becomes the built binary, a word under a mount point moves under the
    test's folder for it (one replacement per word)."""
    out = []
    for i, w in enumerate(words):
        if i == 0 and w == "flash":
            w = flash
        else:
            w = arg_path(w, paths)
        out.append(w)
    return out


def arg_path(word, paths):
    for mount, local in paths.items():
        if word == mount or word.startswith(mount + "/"):
            return local + word[len(mount):]
    return word


def run_init(container, objects, flash, paths, env_overrides, timeout):
    env, _ = container_env(container, objects)
    env.update(env_overrides)
    words, _ = expand(container["command"] + container.get("args", []), env)
    words = localize(words, flash, paths)
    full_env = dict(os.environ)
    full_env.update({k: arg_path(v, paths) for k, v in env.items()})
    print("run:", " ".join(words), flush=True)
    return subprocess.run(words, env=full_env, capture_output=True, text=True, timeout=timeout)


def chat(port, key, content="What is the capital of France?"):
    body = json.dumps({"model": "flash", "max_tokens": 16,
                       "messages": [{"role": "user", "content": content}]}).encode()
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body, headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def check_base_runs(objects, flash, model, tmp, procs):
    """The init container downloads the model, then flash serve runs with the pod's args."""
    pod = pod_of(objects, "Deployment")
    init = {c["name"]: c for c in pod["spec"]["initContainers"]}
    models = os.path.join(tmp, "models")
    os.makedirs(models)
    paths = {"/models": models, "/tmp": tmp}

    store = os.path.join(tmp, "store")
    os.makedirs(store)
    shutil.copy(model, os.path.join(store, "model-file.gguf"))
    with open(model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    web = serve_folder(store)
    url = f"http://127.0.0.1:{web.server_address[1]}/model-file.gguf"
    try:
        p = run_init(init["fetch-model"], objects, flash, paths,
                     {"MODEL_URL": url, "MODEL_SHA256": sha}, 120)
        server = pod["spec"]["containers"][0]
        want = server["args"][server["args"].index("--model") + 1]
        record("fetch-model: flash pull downloads and checks the file where --model reads it",
               p.returncode == 0 and os.path.isfile(arg_path(want, paths)),
               (p.stderr or p.stdout)[-500:])
        p = run_init(init["fetch-model"], objects, flash, paths,
                     {"MODEL_URL": url, "MODEL_SHA256": "0" * 64}, 120)
        record("fetch-model: a wrong sha256 fails the init container (the pod does not start)",
               p.returncode != 0, p.stdout[-300:])
    finally:
        web.shutdown()
    # The wrong checksum made flash pull fetch the file again and refuse it; fetch it right.
    if not os.path.isfile(os.path.join(models, "model.gguf")):
        shutil.copy(model, os.path.join(models, "model.gguf"))

    server = pod["spec"]["containers"][0]
    env, _ = container_env(server, objects)
    port = free_port()
    words, _ = expand(server["command"] + server["args"], env)
    words = localize(words, flash, paths)
    words[words.index("--port") + 1] = str(port)
    words[words.index("--host") + 1] = "127.0.0.1"
    record("flash serve: FLASH_THREADS comes from limits.cpu",
           env.get("FLASH_THREADS") == str(cpu_cores(server["resources"]["limits"]["cpu"])),
           str(env.get("FLASH_THREADS")))
    full_env = dict(os.environ)
    full_env.pop("FLASH_INDEX", None)
    full_env.update(env)
    print("run:", " ".join(words), flush=True)
    log = os.path.join(tmp, "serve.log")
    serve = subprocess.Popen(words, env=full_env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                             cwd=tmp)
    procs.append(serve)
    startup = server["startupProbe"]
    if not wait_healthy(port, serve, startup["periodSeconds"] * startup["failureThreshold"]):
        record("flash serve starts with the Deployment's args within the startup probe",
               False, tail(log))
        return None
    record("flash serve starts with the Deployment's args within the startup probe", True)
    status, _ = chat(port, None)
    record("the API refuses a request without the Secret's key (401)", status == 401, str(status))
    status, reply = chat(port, KEY)
    content = (reply or {}).get("choices", [{}])[0].get("message", {}).get("content", "")
    record("a chat completion with the Secret's key answers", status == 200 and content.strip(),
           f"{status} {content!r}")
    return port


def check_vllm_overlay(objects, base_objects, flash, tmp, port):
    pod = pod_of(objects, "Deployment")
    init = [c["name"] for c in pod["spec"]["initContainers"]]
    record("vllm: the model is downloaded before it is converted",
           init == ["fetch-model", "convert-model"], str(init))
    server = pod["spec"]["containers"][0]
    args = server["args"]

    def arg(flag):
        return args[args.index(flag) + 1] if flag in args else None

    record("vllm: structured outputs (xgrammar), tool calls, the served name and port 8080",
           arg("--structured-outputs-config.backend") == "xgrammar"
           and "--enable-auto-tool-choice" in args and arg("--served-model-name") == "flash"
           and arg("--port") == str(server["ports"][0]["containerPort"]) == "8080",
           " ".join(args))
    record("vllm: the API key reaches vLLM from the same Secret",
           any(e["name"] == "VLLM_API_KEY" and "secretKeyRef" in e.get("valueFrom", {})
               for e in server["env"]))
    record("vllm: one GPU per replica", server["resources"]["limits"].get("nvidia.com/gpu") == "1")
    strip = lambda o: {k: v for k, v in o.items() if k != "status"}  # noqa: E731
    record("vllm: the Service, budget and network policy are the base's, unchanged",
           all(strip(by_kind(objects, k)[0]) == strip(by_kind(base_objects, k)[0])
               for k in ("Service", "PodDisruptionBudget", "NetworkPolicy")))
    record("vllm: no CPU autoscaler for GPU replicas", not by_kind(objects, "HorizontalPodAutoscaler"))

    paths = {"/models": os.path.join(tmp, "models"), "/tmp": tmp}
    convert = [c for c in pod["spec"]["initContainers"] if c["name"] == "convert-model"][0]
    p = run_init(convert, objects, flash, paths, {}, 300)
    hf = os.path.join(tmp, "models", "hf")
    files = set(os.listdir(hf)) if os.path.isdir(hf) else set()
    need = {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}
    config = {}
    if "config.json" in files:
        with open(os.path.join(hf, "config.json")) as f:
            config = json.load(f)
    record("convert-model: flash convert writes the checkpoint vLLM's args name (BF16)",
           p.returncode == 0 and need <= files and config.get("torch_dtype") == "bfloat16"
           and arg_path(args[0], paths) == hf, f"{p.stderr[-300:]} files {sorted(files)} "
           f"dtype {config.get('torch_dtype')}")

    job = pod_of(objects, "Job")["spec"]["containers"][0]
    words = job["command"]
    record("eval Job: asks for the name vLLM serves under",
           words[words.index("--served-model") + 1] == arg("--served-model-name"))
    service = by_kind(objects, "Service")[0]
    record("eval Job: calls the Service by name on its port",
           words[words.index("--endpoint") + 1] == f"http://{service['metadata']['name']}"
           and service["spec"]["ports"][0]["port"] == 80)
    data = words[words.index("--data") + 1]
    with open(os.path.join(ROOT, "deploy", "colocated", "Containerfile")) as f:
        record("eval Job: the image holds the suites at its --data path",
               re.search(r"COPY .*data/eval\s+" + re.escape(data) + r"\s*$", f.read(), re.M)
               is not None, data)
    if port is None:
        return
    # The Job's command against flash serve standing in for vLLM: fewer cases per suite.
    env, _ = container_env(job, objects)
    words, _ = expand(words, env)
    words = localize(words, flash, {"http://flash": f"http://127.0.0.1:{port}",
                                    data: os.path.join(ROOT, "data", "eval"), "/tmp": tmp})
    words[words.index("--limit") + 1] = "2"
    full_env = dict(os.environ)
    full_env.update(env)
    print("run:", " ".join(words), flush=True)
    p = subprocess.run(words, env=full_env, capture_output=True, text=True, timeout=400)
    scores = {}
    if os.path.isfile(os.path.join(tmp, "eval.json")):
        with open(os.path.join(tmp, "eval.json")) as f:
            scores = json.load(f)
    suites = {name: s.get("n") for name, s in scores.get("suites", {}).items()}
    record("eval Job: flash eval all runs the three suites through the endpoint",
           p.returncode == 0 and scores.get("endpoint") is True
           and suites == {"tools": 2, "grounded": 2, "instruct": 2},
           f"exit {p.returncode}: {p.stderr[-400:]} cases per suite {suites}")


def main():
    flash, model = recipe_args(__doc__)
    if not flash:
        return 77
    if not shutil.which("kubectl"):
        print("kubectl is not installed (it renders the kustomizations); skipping")
        return 77
    if not (importlib.util.find_spec("kubernetes_validate") and importlib.util.find_spec("yaml")):
        print("the kubernetes-validate package is not installed (scripts/test.sh installs it); "
              "skipping")
        return 77
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="flash-cloud-")
    procs = []
    try:
        shutil.copytree(RECIPE, os.path.join(tmp, "cloud"))
        _, error = render(tmp, "base")
        record("without api-key.env, kustomize names the missing file", "api-key.env" in error,
               error)
        with open(os.path.join(tmp, "cloud", "base", "api-key.env"), "w") as f:
            f.write(f"FLASH_API_KEY={KEY}\n")
        os.makedirs(os.path.join(tmp, "cloud", "overlays", "queue"))
        with open(os.path.join(tmp, "cloud", "overlays", "queue", "kustomization.yaml"), "w") as f:
            f.write("resources: [../../base]\ncomponents: [../../components/autoscale-on-queue]\n")

        rendered = {}
        for name, target in (("base", "base"), ("vllm", "overlays/vllm"),
                             ("queue", "overlays/queue")):
            objects, error = render(tmp, target)
            record(f"{name}: kubectl kustomize renders", objects is not None, error)
            if objects is not None:
                rendered[name] = objects
                check_schemas(name, objects)
        if "base" in rendered:
            check_validator_rejects_a_typo(rendered["base"])
            check_wiring("base", rendered["base"], ["Deployment"])
            hpa = by_kind(rendered["base"], "HorizontalPodAutoscaler")[0]
            record("base: the autoscaler scales the Deployment on CPU, from 2 replicas",
                   hpa["spec"]["scaleTargetRef"]["name"] ==
                   by_kind(rendered["base"], "Deployment")[0]["metadata"]["name"]
                   and hpa["spec"]["minReplicas"] >= 2
                   and hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu")
        if "queue" in rendered:
            metrics = by_kind(rendered["queue"], "HorizontalPodAutoscaler")[0]["spec"]["metrics"]
            record("queue component: the autoscaler follows flash_queue_depth",
                   [m.get("pods", {}).get("metric", {}).get("name") for m in metrics]
                   == ["flash_queue_depth"], json.dumps(metrics))
        if "vllm" in rendered:
            check_wiring("vllm", rendered["vllm"], ["Deployment", "Job"])

        port = check_base_runs(rendered["base"], flash, model, tmp, procs) \
            if "base" in rendered else None
        if "vllm" in rendered and "base" in rendered:
            check_vllm_overlay(rendered["vllm"], rendered["base"], flash, tmp, port)
    finally:
        stop_all(procs)
        keep_or_remove(tmp)
    return finish(started)


if __name__ == "__main__":
    sys.exit(main())

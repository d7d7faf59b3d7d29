/**
 * The container image definition and the Kubernetes manifests (`apps/server/deploy/`) agree with each other and with
 * the server: nothing is built here, but the structure is checked, the ConfigMap's configuration is one the server
 * accepts, and a server started with it answers the probes exactly as the manifests send them.
 */
import { readFile, writeFile } from "node:fs/promises"
import { get } from "node:http"
import { join } from "node:path"
import { createDatabase, dropDatabases } from "@bulwark/database/testing"
import { loadConfig } from "@bulwark/server"
import { Duration, Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { root } from "./support/paths.ts"
import { startServer, stopAllServers } from "./support/server.ts"
import { makeTempDir, removeTempDirs } from "./support/tempDir.ts"

const deploy = join(root, "apps/server/deploy")

interface Probe {
  readonly httpGet: {
    readonly path: string
    readonly port: string
    readonly httpHeaders: ReadonlyArray<{ readonly name: string; readonly value: string }>
  }
}
interface Manifests {
  readonly configMap: { metadata: { name: string }; data: Record<string, string> }
  readonly secret: { metadata: { name: string }; stringData: Record<string, string> }
  readonly service: { spec: { ports: Array<{ targetPort: string }> } }
  readonly deployment: {
    spec: {
      template: {
        spec: {
          terminationGracePeriodSeconds: number
          securityContext: { runAsNonRoot: boolean }
          containers: Array<{
            image: string
            ports: Array<{ name: string; containerPort: number }>
            envFrom: Array<{ secretRef: { name: string } }>
            volumeMounts: Array<{ name: string; mountPath: string }>
            readinessProbe: Probe
            livenessProbe: Probe
          }>
          volumes: Array<{ name: string; configMap?: { name: string } }>
        }
      }
    }
  }
}

let manifests: Manifests
let dockerfile: string
let dir: string

beforeAll(async () => {
  const load = async (file: string) => parse(await readFile(join(deploy, "kubernetes", file), "utf8"))
  manifests = {
    configMap: await load("configmap.yaml"),
    secret: await load("secret.yaml"),
    service: await load("service.yaml"),
    deployment: await load("deployment.yaml")
  }
  dockerfile = await readFile(join(deploy, "Dockerfile"), "utf8")
  dir = await makeTempDir("deployment")
})

afterAll(async () => {
  await stopAllServers()
  await dropDatabases()
  await removeTempDirs()
})

const configFile = async () => {
  const file = join(dir, "bulwark.yaml")
  await writeFile(file, manifests.configMap.data["bulwark.yaml"]!)
  return file
}

describe("the manifests", () => {
  it("agree with the configuration they mount and with each other", async () => {
    const config = await Effect.runPromise(loadConfig({ file: await configFile(), env: {} }))
    const pod = manifests.deployment.spec.template.spec
    const container = pod.containers[0]!
    const http = container.ports.find((port) => port.name === "http")!
    expect(http.containerPort).toBe(config.http.port)
    expect(config.http.host).toBe("0.0.0.0")
    expect(manifests.service.spec.ports[0]!.targetPort).toBe("http")
    for (const [probe, path] of [
      [container.readinessProbe, "/readyz"],
      [container.livenessProbe, "/healthz"]
    ] as const) {
      expect(probe.httpGet).toMatchObject({ path, port: "http" })
      const host = probe.httpGet.httpHeaders.find((header) => header.name === "Host")?.value
      expect(config.http.allowedHosts).toContain(host)
    }
    // SIGTERM, then the drain, must end before the kubelet kills the pod.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Duration.toSeconds(config.http.shutdownGrace) + 5)
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(container.envFrom[0]!.secretRef.name).toBe("bulwark-secrets")
    expect(Object.keys(manifests.secret.stringData)).toContain("DATABASE_URL")
    const configVolume = pod.volumes.find((volume) => volume.configMap !== undefined)!
    expect(configVolume.configMap!.name).toBe(manifests.configMap.metadata.name)
    const mount = container.volumeMounts.find((volume) => volume.name === configVolume.name)!
    expect(dockerfile).toContain(`BULWARK_CONFIG=${mount.mountPath}/bulwark.yaml`)
    expect(container.volumeMounts.map((volume) => volume.mountPath)).toContain("/data")
    const pkg = JSON.parse(await readFile(join(root, "apps/server/package.json"), "utf8")) as { version: string }
    expect(container.image).toBe(`bulwark:${pkg.version}`)
    expect(dockerfile).toContain(`org.opencontainers.image.version="${pkg.version}"`)
  })

  it("the image runs the direct entry point as an unprivileged user, on the configured port", async () => {
    const config = await Effect.runPromise(loadConfig({ file: await configFile(), env: {} }))
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/apps\/server\/bin\/bulwark"\]$/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${config.http.port}$`, "m"))
    expect(dockerfile).toContain(`PORT=${config.http.port}`)
    expect(dockerfile).toContain("BULWARK_DATA_DIR=/data")
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/)
  })
})

/** A GET with exactly these headers (`fetch` sets `Host` itself), answering the status. */
const statusOf = (url: URL, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    get(url, { headers }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    }).once("error", reject)
  })

describe("a server with the ConfigMap's configuration", () => {
  it("answers the probes as the kubelet sends them", async () => {
    const database = await createDatabase("deployment")
    const server = await startServer({
      args: ["--config", await configFile()],
      env: { DATABASE_URL: database.url },
      cwd: dir
    })
    const container = manifests.deployment.spec.template.spec.containers[0]!
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      const headers = Object.fromEntries(probe.httpGet.httpHeaders.map((header) => [header.name, header.value]))
      expect(await statusOf(new URL(probe.httpGet.path, server.baseUrl), headers), probe.httpGet.path).toBe(200)
    }
    // A Host the configuration does not allow is refused, probes included.
    expect(await statusOf(new URL("/healthz", server.baseUrl), { host: "10.1.2.3:3000" })).toBe(403)
  })
})

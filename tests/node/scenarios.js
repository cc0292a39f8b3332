// The vendors' Node SDKs against the emulator, each with its default settings (tests/test_node_sdks.py).
//
//   node scenarios.js SDK < plan.json      SDK: tencent | ecs-acs3 | ecs-v2 | pop-core
//
// The plan (JSON on stdin) says where the emulator is and what to ask; the answer (JSON on stdout) is what
// the SDK returned: every page's ids, a filtered listing, a lookup by ids, and the codes of documented errors.
// The SDKs are told only what a user would tell them: endpoint, protocol, credentials, region.
"use strict";

async function tencent(plan) {
  const CvmClient = require("tencentcloud-sdk-nodejs-cvm").cvm.v20170312.Client;
  const client = (secret) => new CvmClient({
    credential: { secretId: plan.keyId, secretKey: secret },
    region: plan.region,
    profile: { httpProfile: { endpoint: plan.endpoint, protocol: plan.protocol + "://" } },
  });
  const good = client(plan.secret);
  const list = (request) => good.DescribeInstances(request);
  const codeOf = async (promise) => {
    try { await promise; return null; } catch (e) { return e.code || String(e); }
  };
  const pages = [];
  for (let offset = 0; ; offset += plan.pageSize) {
    const page = await list({ Offset: offset, Limit: plan.pageSize });
    pages.push(page.InstanceSet.map((i) => i.InstanceId));
    if (offset + plan.pageSize >= page.TotalCount) break;
  }
  const filtered = await list({ Filters: [{ Name: "zone", Values: [plan.zone] }], Limit: 100 });
  const lookup = await list({ InstanceIds: plan.ids });
  return {
    pages,
    filtered: filtered.InstanceSet.map((i) => i.InstanceId),
    lookup: lookup.InstanceSet.map((i) => i.InstanceId),
    errors: {
      malformed_id: await codeOf(list({ InstanceIds: ["not-an-id"] })),
      unknown_filter: await codeOf(list({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] })),
      limit: await codeOf(list({ Limit: 101 })),
      wrong_secret: await codeOf(client("wrong-secret").DescribeInstances({})),
    },
  };
}

async function ecs(plan, algorithm) {
  const Ecs = require("@alicloud/ecs20140526");
  const { $OpenApiUtil } = require("@alicloud/openapi-core");
  const client = (secret) => {
    const config = new $OpenApiUtil.Config({
      accessKeyId: plan.keyId, accessKeySecret: secret, endpoint: plan.endpoint, protocol: plan.protocol,
      regionId: plan.region,
    });
    if (algorithm) config.signatureAlgorithm = algorithm;
    return new Ecs.default(config);
  };
  const good = client(plan.secret);
  const list = async (fields) =>
    (await good.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: plan.region, ...fields }))).body;
  const codeOf = async (promise) => {
    try { await promise; return null; } catch (e) { return e.code || String(e); }
  };
  const pages = [];
  for (let number = 1; ; number += 1) {
    const body = await list({ pageNumber: number, pageSize: plan.pageSize });
    pages.push(body.instances.instance.map((i) => i.instanceId));
    if (number * plan.pageSize >= body.totalCount) break;
  }
  const filtered = await list({ zoneId: plan.zone, pageSize: 100 });
  const lookup = await list({ instanceIds: JSON.stringify(plan.ids) });
  return {
    pages,
    filtered: filtered.instances.instance.map((i) => i.instanceId),
    lookup: lookup.instances.instance.map((i) => i.instanceId),
    errors: {
      status: await codeOf(list({ status: "NoSuchStatus" })),
      page_size: await codeOf(list({ pageSize: 101 })),
      region: await codeOf(list({ regionId: "xx-nowhere-1" })),
      wrong_secret: await codeOf(client("wrong-secret").describeInstances(
        new Ecs.DescribeInstancesRequest({ regionId: plan.region }))),
    },
  };
}

async function popCore(plan) {
  const RPCClient = require("@alicloud/pop-core");
  const client = (secret) => new RPCClient({
    accessKeyId: plan.keyId, accessKeySecret: secret, endpoint: `${plan.protocol}://${plan.endpoint}`,
    apiVersion: "2014-05-26",
  });
  const good = client(plan.secret);
  const list = (params) => good.request("DescribeInstances", { RegionId: plan.region, ...params });
  const codeOf = async (promise) => {
    try { await promise; return null; } catch (e) { return e.code || String(e); }
  };
  const pages = [];
  for (let number = 1; ; number += 1) {
    const body = await list({ PageNumber: number, PageSize: plan.pageSize });
    pages.push(body.Instances.Instance.map((i) => i.InstanceId));
    if (number * plan.pageSize >= body.TotalCount) break;
  }
  const filtered = await list({ ZoneId: plan.zone, PageSize: 100 });
  const lookup = await list({ InstanceIds: JSON.stringify(plan.ids) });
  return {
    pages,
    filtered: filtered.Instances.Instance.map((i) => i.InstanceId),
    lookup: lookup.Instances.Instance.map((i) => i.InstanceId),
    errors: {
      status: await codeOf(list({ Status: "NoSuchStatus" })),
      page_size: await codeOf(list({ PageSize: 101 })),
      region: await codeOf(list({ RegionId: "xx-nowhere-1" })),
      wrong_secret: await codeOf(client("wrong-secret").request("DescribeInstances", { RegionId: plan.region })),
    },
  };
}

const SDKS = {
  tencent: tencent,
  "ecs-acs3": (plan) => ecs(plan, null), // the SDK's default: ACS3-HMAC-SHA256
  "ecs-v2": (plan) => ecs(plan, "v2"), // RPC v1 HMAC-SHA1
  "pop-core": popCore,
};

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const plans = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const out = {};
  for (const name of process.argv.slice(2)) out[name] = await SDKS[name](plans[name] || plans);
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});

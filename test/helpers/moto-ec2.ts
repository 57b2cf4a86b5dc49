// Reads moto's EC2 state with boto3 (the venv's), independent of the playbooks under test.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, type Config } from '../../infra/config.js';

const run = promisify(execFile);

export interface Ec2Instance {
  id: string;
  state: string;
  tags: Record<string, string>;
}

export async function ec2Instances(config: Config, jobId?: string): Promise<Ec2Instance[]> {
  const script = `
import boto3, json, sys
ec2 = boto3.client('ec2', endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id='test', aws_secret_access_key='test')
out = []
filters = [{'Name': 'tag:queryshield:job', 'Values': [sys.argv[3]]}] if sys.argv[3] else [{'Name': 'tag-key', 'Values': ['queryshield:job']}]
for r in ec2.describe_instances(Filters=filters)['Reservations']:
    for i in r['Instances']:
        out.append({'id': i['InstanceId'], 'state': i['State']['Name'], 'tags': {t['Key']: t['Value'] for t in i.get('Tags', [])}})
print(json.dumps(out))
`;
  const { stdout } = await run(path.join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, config.vms.aws.endpoint!, config.vms.aws.region, jobId ?? '']);
  return JSON.parse(stdout) as Ec2Instance[];
}

/** One moto EC2 instance with the given tags, made with boto3 as anyone with access to the account could
 *  (the sweep must cope with tags it did not write: another deployment's, none, or hostile ones). */
export async function taggedInstance(config: Config, tags: Record<string, string>): Promise<string> {
  const script = `
import boto3, json, sys
ec2 = boto3.client('ec2', endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id='test', aws_secret_access_key='test')
tags = [{'Key': k, 'Value': v} for k, v in json.loads(sys.argv[4]).items()]
r = ec2.run_instances(ImageId=sys.argv[3], MinCount=1, MaxCount=1, InstanceType='t3.micro', TagSpecifications=[{'ResourceType': 'instance', 'Tags': tags}])
print(r['Instances'][0]['InstanceId'])
`;
  const aws = config.vms.aws;
  const { stdout } = await run(path.join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', script, aws.endpoint!, aws.region, aws.ami, JSON.stringify(tags)]);
  return stdout.trim();
}
